import * as UpstreamHttpFailure from "@streamguard/kernel/client/UpstreamHttpFailure"
import * as Messages from "@streamguard/kernel/Messages"
import { assert, describe, it } from "vitest"

const bytes = (text: string) => new TextEncoder().encode(text)

describe("UpstreamHttpFailure", () => {
  it("retry-after-ms first, then retry-after in seconds or as an HTTP date; nonsense is none", () => {
    const now = Date.parse("2026-01-01T00:00:00Z")
    assert.strictEqual(UpstreamHttpFailure.retryAfterMillis({ "retry-after-ms": "250", "retry-after": "9" }, now), 250)
    assert.strictEqual(UpstreamHttpFailure.retryAfterMillis({ "retry-after": "1.5" }, now), 1500)
    assert.strictEqual(
      UpstreamHttpFailure.retryAfterMillis({ "retry-after": "Thu, 01 Jan 2026 00:00:03 GMT" }, now),
      3000
    )
    assert.strictEqual(UpstreamHttpFailure.retryAfterMillis({ "retry-after": "Wed, 31 Dec 2025 00:00:00 GMT" }, now), 0)
    assert.isUndefined(UpstreamHttpFailure.retryAfterMillis({ "retry-after": "soon" }, now))
    assert.isUndefined(UpstreamHttpFailure.retryAfterMillis({ "retry-after-ms": "-1" }, now))
  })

  it("the provider's error type: OpenAI's type, Gemini's status, a string code; none when cut off", () => {
    assert.deepStrictEqual(
      UpstreamHttpFailure.providerError("{\"error\":{\"type\":\"overloaded_error\",\"message\":\"busy\"}}"),
      {
        type: "overloaded_error",
        message: "busy"
      }
    )
    assert.deepStrictEqual(
      UpstreamHttpFailure.providerError("{\"error\":{\"status\":\"RESOURCE_EXHAUSTED\",\"code\":429}}"),
      {
        type: "RESOURCE_EXHAUSTED"
      }
    )
    assert.deepStrictEqual(UpstreamHttpFailure.providerError("{\"error\":{\"code\":\"rate_limited\"}}"), {
      type: "rate_limited"
    })
    assert.deepStrictEqual(UpstreamHttpFailure.providerError("{\"error\":{\"type\":"), {})
  })

  it("an excerpt is complete at a whole JSON document or at the bound, and keeps at most maxExcerptBytes", () => {
    const excerpt = new UpstreamHttpFailure.Excerpt()
    assert.isFalse(excerpt.add(bytes("{\"error\":")))
    assert.isTrue(excerpt.add(bytes("{}}")))
    const long = new UpstreamHttpFailure.Excerpt()
    assert.isTrue(long.add(bytes("x".repeat(5000))))
    const failure = long.failure(500, {}, 0)
    assert.strictEqual(failure.bodyExcerpt.length, UpstreamHttpFailure.maxExcerptBytes)
    assert.deepStrictEqual(excerpt.failure(429, { "retry-after": "1" }, 0), {
      status: 429,
      bodyExcerpt: "{\"error\":{}}",
      retryAfterMillis: 1000
    })
  })

  it("waits for an error body at most 5 s, or the chunk limit when shorter", () => {
    assert.strictEqual(UpstreamHttpFailure.excerptWithinMillis(Infinity), 5000)
    assert.strictEqual(UpstreamHttpFailure.excerptWithinMillis(200), 200)
  })

  it("the messages of the client's errors", () => {
    assert.strictEqual(
      Messages.upstreamHttpError({
        status: 429,
        bodyExcerpt: "{}",
        providerErrorType: "rate_limit",
        providerMessage: "slow"
      }),
      "upstream answered HTTP 429 (rate_limit): slow"
    )
    assert.strictEqual(Messages.upstreamHttpError({ status: 502, bodyExcerpt: "" }), "upstream answered HTTP 502")
    assert.strictEqual(
      Messages.transportError({
        reason: "refused",
        stage: "request",
        code: "ECONNREFUSED",
        detail: "connect ECONNREFUSED"
      }),
      "connection failed before the response: refused (ECONNREFUSED): connect ECONNREFUSED"
    )
  })
})
