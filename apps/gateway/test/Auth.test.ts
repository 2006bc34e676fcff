import { assert, describe, it } from "@effect/vitest"
import { Effect, Redacted } from "effect"
import { start } from "./GatewayUnderTest.js"

const get = (url: string, headers: Record<string, string> = {}) =>
  Effect.promise(() => fetch(url, { headers }).then(async (r) => ({ status: r.status, text: await r.text() })))

describe("gateway keys", () => {
  it.live("with keys configured, /v1/models and /metrics need one; healthz and readyz stay open", () =>
    Effect.gen(function*() {
      const gateway = yield* start({ gatewayKeys: [Redacted.make("k-1")] })
      for (const path of ["/v1/models", "/metrics"]) {
        const none = yield* get(`${gateway.url}${path}`)
        assert.strictEqual(none.status, 401, path)
        assert.strictEqual(JSON.parse(none.text).error.code, "invalid_api_key", path)
        const wrong = yield* get(`${gateway.url}${path}`, { authorization: "Bearer k-2" })
        assert.strictEqual(wrong.status, 401, path)
        const bearer = yield* get(`${gateway.url}${path}`, { authorization: "Bearer k-1" })
        assert.strictEqual(bearer.status, 200, path)
        const apiKey = yield* get(`${gateway.url}${path}`, { "x-api-key": "k-1" })
        assert.strictEqual(apiKey.status, 200, path)
      }
      for (const path of ["/healthz", "/readyz"]) {
        assert.strictEqual((yield* get(`${gateway.url}${path}`)).status, 200, path)
      }
    }))

  it.live("with no keys configured every endpoint is open", () =>
    Effect.gen(function*() {
      const gateway = yield* start()
      for (const path of ["/v1/models", "/metrics", "/healthz", "/readyz"]) {
        assert.strictEqual((yield* get(`${gateway.url}${path}`)).status, 200, path)
      }
    }))
})
