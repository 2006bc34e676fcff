import { assert, describe, it } from "@effect/vitest"
import { Config } from "@streamguard/gateway"
import { Duration, Effect, Redacted } from "effect"
import { connect } from "node:net"
import { start } from "./GatewayUnderTest.js"
import * as TinyUpstream from "./TinyUpstream.js"

const post = (url: string, path: string, body: string, headers: Record<string, string> = {}) =>
  Effect.promise(async () => {
    const response = await fetch(`${url}${path}`, {
      method: "POST",
      headers: { "content-type": "application/json", ...headers },
      body
    })
    const text = await response.text()
    return { status: response.status, headers: response.headers, json: JSON.parse(text) as any }
  })

const chat = (model: string, extra: Record<string, unknown> = {}) =>
  JSON.stringify({ model, messages: [{ role: "user", content: "hi" }], ...extra })

describe("bad input and refusals", () => {
  it.live("without a valid gateway key the answer is 401, and a valid one passes", () =>
    Effect.gen(function*() {
      const gateway = yield* start({ gatewayKeys: [Redacted.make("secret-1")] })
      const none = yield* post(gateway.url, "/v1/chat/completions", chat("sim:steady?chunks=1&gap=1ms"))
      assert.strictEqual(none.status, 401)
      assert.strictEqual(none.json.error.code, "invalid_api_key")
      const wrong = yield* post(gateway.url, "/v1/chat/completions", chat("sim:steady?chunks=1&gap=1ms"), {
        authorization: "Bearer nope"
      })
      assert.strictEqual(wrong.status, 401)
      const anthropicStyle = yield* post(
        gateway.url,
        "/v1/messages",
        JSON.stringify({
          model: "sim:steady?chunks=1&gap=1ms",
          max_tokens: 5,
          messages: [{ role: "user", content: "x" }]
        }),
        { "x-api-key": "secret-1" }
      )
      assert.strictEqual(anthropicStyle.status, 200)
    }))

  it.live("invalid JSON is a 400", () =>
    Effect.gen(function*() {
      const gateway = yield* start()
      const response = yield* post(gateway.url, "/v1/chat/completions", "{not json")
      assert.strictEqual(response.status, 400)
      assert.include(response.json.error.message, "invalid JSON")
    }))

  it.live("a schema-invalid body is a 400 naming the field's path", () =>
    Effect.gen(function*() {
      const gateway = yield* start()
      const response = yield* post(
        gateway.url,
        "/v1/chat/completions",
        JSON.stringify({ model: "sim:steady", messages: [{ role: 7 }] })
      )
      assert.strictEqual(response.status, 400)
      assert.strictEqual(response.json.error.param, "messages.0.role")
      assert.include(response.json.error.message, "messages.0.role")
      // One mistake, said once: what was given and what is allowed, not the schema's alternatives.
      const stream = yield* post(
        gateway.url,
        "/v1/chat/completions",
        JSON.stringify({ model: "sim:steady", stream: "yes", messages: [] })
      )
      assert.strictEqual(stream.status, 400)
      assert.strictEqual(stream.json.error.param, "stream")
      assert.notInclude(stream.json.error.message, "undefined")
      assert.include(stream.json.error.message, "Expected boolean, actual \"yes\"")
    }))

  it.live("a body without a model is a 400 saying so, in Anthropic's shape on /v1/messages", () =>
    Effect.gen(function*() {
      const gateway = yield* start()
      const response = yield* post(
        gateway.url,
        "/v1/messages",
        JSON.stringify({ max_tokens: 5, messages: [{ role: "user", content: "x" }] })
      )
      assert.strictEqual(response.status, 400)
      assert.strictEqual(response.json.type, "error")
      assert.include(response.json.error.message, "missing model")
    }))

  it.live("an unknown profile is a 400 naming the known ones", () =>
    Effect.gen(function*() {
      const gateway = yield* start()
      const response = yield* post(gateway.url, "/v1/chat/completions", chat("sim:steady"), {
        "x-streamguard-profile": "nope"
      })
      assert.strictEqual(response.status, 400)
      for (const name of ["research", "mcp", "chat", "batch"]) assert.include(response.json.error.message, name)
    }))

  it.live("an unknown model is a 404 in the dialect's error shape", () =>
    Effect.gen(function*() {
      const gateway = yield* start()
      const response = yield* post(gateway.url, "/v1/chat/completions", chat("gpt-unknown"))
      assert.strictEqual(response.status, 404)
      assert.strictEqual(response.json.error.code, "model_not_found")
    }))

  it.live("a body over maxBodyBytes is a 413", () =>
    Effect.gen(function*() {
      const gateway = yield* start({ maxBodyBytes: 1024 })
      const response = yield* post(gateway.url, "/v1/chat/completions", chat("sim:steady", { pad: "x".repeat(5000) }))
      assert.strictEqual(response.status, 413)
      assert.strictEqual(response.json.error.type, "request_too_large")
    }))

  it.live("over the admission limit a request waits its pool timeout, then gets 503 with retry-after", () =>
    Effect.gen(function*() {
      const gateway = yield* start({
        maxConcurrentStreams: 1,
        profiles: { pooled: { base: "chat", pool: Duration.millis(150) } }
      })
      const held = new AbortController()
      const first = yield* Effect.promise(() =>
        fetch(`${gateway.url}/v1/chat/completions`, {
          method: "POST",
          signal: held.signal,
          headers: { "content-type": "application/json" },
          body: chat("sim:steady?chunks=100&gap=20ms", { stream: true })
        })
      )
      assert.strictEqual(first.status, 200)
      const startedAt = Date.now()
      const second = yield* post(gateway.url, "/v1/chat/completions", chat("sim:steady?chunks=1", { stream: true }), {
        "x-streamguard-profile": "pooled"
      })
      const waited = Date.now() - startedAt
      held.abort()
      assert.strictEqual(second.status, 503)
      assert.strictEqual(second.headers.get("retry-after"), "1")
      assert.strictEqual(second.json.error.type, "pool_timeout")
      assert.isAtLeast(waited, 140)
    }))

  it.live("a request waiting at the admission limit longer than keepaliveInterval gets 503, never a 200", () =>
    Effect.gen(function*() {
      const gateway = yield* start({
        maxConcurrentStreams: 1,
        keepaliveInterval: Duration.millis(20),
        profiles: { pooled: { base: "chat", pool: Duration.millis(300) } }
      })
      const held = new AbortController()
      const first = yield* Effect.promise(() =>
        fetch(`${gateway.url}/v1/chat/completions`, {
          method: "POST",
          signal: held.signal,
          headers: { "content-type": "application/json" },
          body: chat("sim:steady?chunks=100&gap=20ms", { stream: true })
        })
      )
      assert.strictEqual(first.status, 200)
      const second = yield* Effect.promise(() =>
        fetch(`${gateway.url}/v1/chat/completions`, {
          method: "POST",
          headers: { "content-type": "application/json", "x-streamguard-profile": "pooled" },
          body: chat("sim:steady?chunks=1", { stream: true })
        }).then(async (response) => ({
          status: response.status,
          headers: response.headers,
          text: await response.text()
        }))
      )
      held.abort()
      assert.strictEqual(second.status, 503)
      assert.strictEqual(second.headers.get("retry-after"), "1")
      assert.notInclude(second.text, "keep-alive")
      assert.strictEqual(JSON.parse(second.text).error.type, "pool_timeout")
    }))

  it.live("an upstream 503 that comes after keepaliveInterval is passed through with retry-after", () =>
    Effect.gen(function*() {
      const upstream = yield* TinyUpstream.start((_, response) => {
        setTimeout(() => {
          response.writeHead(503, { "content-type": "application/json", "retry-after": "7" })
          response.end(JSON.stringify({ error: { message: "overloaded", type: "overloaded" } }))
        }, 300)
      })
      const gateway = yield* start({
        keepaliveInterval: Duration.millis(20),
        upstreams: [Config.Upstream.make({ name: "late", baseUrl: upstream.baseUrl, dialect: "any", models: ["late"] })]
      })
      const response = yield* Effect.promise(() =>
        fetch(`${gateway.url}/v1/chat/completions`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: chat("late", { stream: true })
        }).then(async (response) => ({
          status: response.status,
          headers: response.headers,
          text: await response.text()
        }))
      )
      assert.strictEqual(response.status, 503)
      assert.strictEqual(response.headers.get("retry-after"), "7")
      assert.notInclude(response.text, "keep-alive")
    }))

  it.live("an upstream echoing the gateway's key never gets it to the client or the log", () =>
    Effect.gen(function*() {
      const key = "sk-upstream-secret-0123456789"
      // Echoes the key it was sent, as some providers' 401 bodies do, with the status asked for.
      const upstream = yield* TinyUpstream.start((request, response) => {
        const status = Number(request.headers["x-sim-status"] ?? 401)
        response.writeHead(status, { "content-type": "application/json" })
        response.end(
          JSON.stringify({ error: { message: `Incorrect API key provided: ${request.headers["authorization"]}` } })
        )
      })
      const gateway = yield* start({
        upstreams: [
          Config.Upstream.make({ name: "leaky", baseUrl: upstream.baseUrl, dialect: "any", models: ["leaky"] })
        ],
        upstreamKeys: new Map([["leaky", Redacted.make(key)]])
      })
      const rejected = yield* post(gateway.url, "/v1/chat/completions", chat("leaky", { stream: true }))
      assert.strictEqual(rejected.status, 502)
      assert.strictEqual(rejected.json.error.message, "upstream rejected the gateway's credentials (upstream leaky)")
      const echoed = yield* post(gateway.url, "/v1/chat/completions", chat("leaky"), { "x-sim-status": "400" })
      assert.strictEqual(echoed.status, 400)
      assert.include(echoed.json.error.message, "Incorrect API key provided: Bearer [redacted]")
      const logs = yield* gateway.logs
      assert.isAtLeast(logs.filter((line) => line["outcome"] !== undefined).length, 2)
      assert.notInclude(JSON.stringify([rejected.json, echoed.json, logs]), key)
    }))

  it.live("an unknown path is a JSON 404, and healthz, readyz and models answer", () =>
    Effect.gen(function*() {
      const gateway = yield* start()
      const missing = yield* Effect.promise(() => fetch(`${gateway.url}/v2/nothing`))
      assert.strictEqual(missing.status, 404)
      const health = yield* Effect.promise(() => fetch(`${gateway.url}/healthz`))
      assert.strictEqual(health.status, 200)
      const ready = yield* Effect.promise(() => fetch(`${gateway.url}/readyz`))
      assert.strictEqual(ready.status, 200)
      const models = yield* Effect.promise(() => fetch(`${gateway.url}/v1/models`).then((r) => r.json() as any))
      assert.deepStrictEqual(models.data.map((m: { id: string }) => m.id), ["sim:*"])
    }))
})

describe("slow clients", () => {
  it.live("a client that never finishes its headers is cut by the headers timeout", () =>
    Effect.gen(function*() {
      const gateway = yield* start({ headersTimeout: Duration.millis(300), bodyTimeout: Duration.millis(300) })
      const port = Number(new URL(gateway.url).port)
      const closedAfter = yield* Effect.promise(() =>
        new Promise<number>((resolve) => {
          const startedAt = Date.now()
          const socket = connect(port, "127.0.0.1", () => {
            socket.write("POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\n")
          })
          socket.on("error", () => {})
          // Flowing mode: the close only comes once the 408 the server sends has been read.
          socket.resume()
          socket.on("close", () => resolve(Date.now() - startedAt))
        })
      )
      assert.isAtMost(closedAfter, 3000)
    }))
})
