import { assert, describe, it } from "@effect/vitest"
import { ErrorResponse } from "@streamguard/gateway"
import { Effect, Redacted, Schema } from "effect"

describe("ErrorResponse", () => {
  it.effect("a GatewayError crosses the log/HTTP boundary as a schema: it encodes and decodes with its message", () =>
    Effect.gen(function*() {
      const error = ErrorResponse.overloaded("the gateway is at its limit of concurrent streams", 1)
      const encoded = yield* Schema.encode(ErrorResponse.GatewayError)(error)
      assert.strictEqual(encoded._tag, "GatewayError")
      assert.strictEqual(encoded.retryAfter, "1")
      const decoded = yield* Schema.decodeUnknown(ErrorResponse.GatewayError)(JSON.parse(JSON.stringify(encoded)))
      assert.strictEqual(decoded.message, "the gateway is at its limit of concurrent streams")
      assert.strictEqual(decoded.status, 503)
    }))

  it("a defect becomes a fixed internal error whose message holds none of the defect's text", () => {
    const error = ErrorResponse.fromFailure(new Error("boom with sk-secret"), {
      upstream: "u",
      secrets: [Redacted.make("sk-secret")]
    })
    assert.strictEqual(error.status, 500)
    assert.strictEqual(error.message, "internal error")
  })
})
