import { assert, describe, it } from "@effect/vitest"
import { ClientError } from "@streamguard/client"
import { Config, ErrorResponse } from "@streamguard/gateway"
import { Effect, Redacted, Schema } from "effect"
import { createServer } from "node:net"
import type { AddressInfo } from "node:net"
import { start } from "./GatewayUnderTest.js"
import * as TinyUpstream from "./TinyUpstream.js"

describe("ErrorResponse", () => {
  it.effect("a GatewayError crosses the log/HTTP boundary as a schema: it encodes and decodes with its message", () =>
    Effect.gen(function*() {
      const error = ErrorResponse.overloaded("the gateway is at its limit of concurrent streams", 1)
      const encoded = yield* Schema.encodeEffect(ErrorResponse.GatewayError)(error)
      assert.strictEqual(encoded._tag, "GatewayError")
      assert.strictEqual(encoded.retryAfter, "1")
      const decoded = yield* Schema.decodeUnknownEffect(ErrorResponse.GatewayError)(JSON.parse(JSON.stringify(encoded)))
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

  it("a transport failure's own text (the address it failed on) is kept for the log, out of the body", () => {
    const failure = new ClientError.TransportError({
      reason: "refused",
      stage: "request",
      code: "ECONNREFUSED",
      detail: "connect ECONNREFUSED 10.0.0.7:443"
    })
    const error = ErrorResponse.fromFailure(failure, { upstream: "openai", secrets: [] })
    assert.strictEqual(error.status, 502)
    assert.strictEqual(error.detail, "the upstream could not be reached (upstream openai)")
    assert.include(error.message, "10.0.0.7:443")
    assert.notInclude(JSON.stringify(ErrorResponse.body("anthropic", error)), "10.0.0.7")
    assert.notInclude(JSON.stringify(ErrorResponse.inBand(error)), "10.0.0.7")
  })
})

/** A loopback port nothing listens on: one the OS just gave out and took back. */
const closedPort = Effect.promise(() =>
  new Promise<number>((resolve) => {
    const server = createServer()
    server.listen(0, "127.0.0.1", () => {
      const port = (server.address() as AddressInfo).port
      server.close(() => resolve(port))
    })
  })
)

const endpoints = [
  { path: "/v1/chat/completions", body: { messages: [{ role: "user", content: "hi" }] } },
  { path: "/v1/responses", body: { input: "hi" } },
  { path: "/v1/messages", body: { max_tokens: 5, messages: [{ role: "user", content: "hi" }] } }
] as const

describe("what a client is told of an upstream failure", () => {
  it.live("an unreachable upstream is named, never addressed: no host, port or system error in any body", () =>
    Effect.gen(function*() {
      const port = yield* closedPort
      const gateway = yield* start({
        upstreams: [
          Config.Upstream.make({ name: "down", baseUrl: `http://127.0.0.1:${port}/v1`, dialect: "any", models: ["m"] })
        ]
      })
      for (const endpoint of endpoints) {
        for (const stream of [true, false]) {
          const response = yield* Effect.promise(() =>
            fetch(`${gateway.url}${endpoint.path}`, {
              method: "POST",
              headers: { "content-type": "application/json" },
              body: JSON.stringify({ model: "m", stream, ...endpoint.body })
            }).then(async (r) => ({ status: r.status, text: await r.text() }))
          )
          const where = `${endpoint.path} stream=${stream}: ${response.text}`
          assert.strictEqual(response.status, 502, where)
          assert.include(response.text, "the upstream could not be reached (upstream down)", where)
          assert.include(response.text, "transport_error", where)
          for (const secret of ["127.0.0.1", String(port), "ECONNREFUSED"]) {
            assert.notInclude(response.text, secret, where)
          }
        }
      }
      // The operator's log keeps what the client is not told.
      const ended = (yield* gateway.logs).filter((line) => line["outcome"] === "transport_error")
      assert.strictEqual(ended.length, endpoints.length * 2)
      for (const line of ended) assert.include(String(line["error"]), "ECONNREFUSED")
    }))

  it.live("a connection lost mid-stream ends with a generic error event, its detail only in the log", () =>
    Effect.gen(function*() {
      const upstream = yield* TinyUpstream.start((_, response) => {
        response.writeHead(200, { "content-type": "text/event-stream" })
        response.write(
          `data: ${JSON.stringify({ choices: [{ index: 0, delta: { content: "a" } }] })}\n\n`,
          () => response.socket?.destroy()
        )
      })
      const gateway = yield* start({
        upstreams: [Config.Upstream.make({ name: "flaky", baseUrl: upstream.baseUrl, dialect: "any", models: ["m"] })]
      })
      const text = yield* Effect.promise(() =>
        fetch(`${gateway.url}/v1/chat/completions`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ model: "m", stream: true, messages: [{ role: "user", content: "hi" }] })
        }).then((r) => r.text())
      )
      assert.include(text, "\"type\":\"transport_error\"")
      assert.include(text, "(upstream flaky)")
      assert.notInclude(text, new URL(upstream.baseUrl).port)
    }))
})
