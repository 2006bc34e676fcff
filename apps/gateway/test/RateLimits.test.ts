import { assert, describe, it } from "@effect/vitest"
import { Duration, Effect, Redacted } from "effect"
import * as GatewayUnderTest from "./GatewayUnderTest.js"

const call = (url: string, key: string) =>
  Effect.promise(() =>
    fetch(`${url}/v1/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${key}` },
      body: JSON.stringify({ model: "sim:steady?chunks=1", messages: [{ role: "user", content: "hi" }] })
    }).then(async (response) => ({
      status: response.status,
      retryAfter: response.headers.get("retry-after"),
      body: await response.json() as { error?: { code?: string } }
    }))
  )

describe("RateLimits", () => {
  it.live("each gateway key has its own rate: one key's 429 leaves the other's budget whole", () =>
    Effect.gen(function*() {
      const gateway = yield* GatewayUnderTest.start({
        gatewayKeys: [Redacted.make("key-a"), Redacted.make("key-b")],
        rateLimits: { perKey: { requests: 2, per: Duration.minutes(1), whenStoreDown: "local" }, upstreams: {} }
      })
      const a = yield* Effect.forEach([1, 2, 3], () => call(gateway.url, "key-a"))
      assert.deepStrictEqual(a.map((r) => r.status), [200, 200, 429])
      assert.strictEqual(a[2]!.body.error?.code, "rate_limit_exceeded")
      assert.isNotNull(a[2]!.retryAfter)
      const b = yield* call(gateway.url, "key-b")
      assert.strictEqual(b.status, 200)
    }))

  it.live("an upstream's rate counts every key's requests to it, in memory with no Redis configured", () =>
    Effect.gen(function*() {
      const gateway = yield* GatewayUnderTest.start({
        rateLimits: { upstreams: { sim: { requests: 3, per: Duration.minutes(1), whenStoreDown: "local" } } }
      })
      const statuses = yield* Effect.forEach([1, 2, 3, 4, 5], () => call(gateway.url, "any"))
      assert.deepStrictEqual(statuses.map((r) => r.status), [200, 200, 200, 429, 429])
    }))
})
