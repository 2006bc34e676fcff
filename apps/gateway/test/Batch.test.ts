/**
 * Non-streamed calls through the gateway on real sockets: bounded by their profile's `request`
 * limit (never by `chunk`), logged however they end, the client leaving included, and holding
 * their admission slot and in-flight count only while they run. The precise timing of the limit
 * is proven under `TestClock` in the client's own tests; these bounds are loose on purpose.
 */
import { assert, describe, it } from "@effect/vitest"
import { ProfileConfig } from "@streamguard/core"
import { Config } from "@streamguard/gateway"
import { Deferred, Duration, Effect, Exit, Fiber, Schema, Scope } from "effect"
import type * as Http from "node:http"
import { inFlight, requestEnd, start } from "./GatewayUnderTest.js"
import * as TinyUpstream from "./TinyUpstream.js"

const profileEntry = (fields: Partial<Record<"chunk" | "request", string>>) =>
  Schema.decodeUnknownSync(ProfileConfig.ProfileEntry)(fields)

/** A gateway in front of a tiny upstream that answers every request with `handler`. */
const gatewayBefore = (
  handler: (request: Http.IncomingMessage, response: Http.ServerResponse) => void,
  profile: Partial<Record<"chunk" | "request", string>>,
  overrides: Partial<Config.GatewayConfigShape> = {}
) =>
  Effect.gen(function*() {
    const upstream = yield* TinyUpstream.start(handler)
    return yield* start({
      upstreams: [Config.Upstream.make({ name: "tiny", baseUrl: upstream.baseUrl, dialect: "any", models: ["*"] })],
      profiles: { short: profileEntry(profile) },
      ...overrides
    })
  })

const call = (url: string, requestId: string, signal?: AbortSignal) =>
  fetch(`${url}/v1/chat/completions`, {
    method: "POST",
    signal: signal ?? null,
    headers: { "content-type": "application/json", "x-streamguard-profile": "short", "x-request-id": requestId },
    body: JSON.stringify({ model: "m", messages: [{ role: "user", content: "hi" }] })
  })

describe("a non-streamed call", () => {
  it.live("headers later than chunk but within request: the answer comes through", () =>
    Effect.gen(function*() {
      const gateway = yield* gatewayBefore((_, response) => {
        setTimeout(() => {
          response.writeHead(200, { "content-type": "application/json" })
          response.end(`{"id":"late"}`)
        }, 400)
      }, { chunk: "100 millis", request: "3 seconds" })
      const response = yield* Effect.promise(() => call(gateway.url, "late"))
      assert.strictEqual(response.status, 200)
      assert.strictEqual(yield* Effect.promise(() => response.text()), `{"id":"late"}`)
      const line = yield* requestEnd(gateway, "late")
      assert.strictEqual(line["outcome"], "done")
      assert.strictEqual(line["stream"], false)
    }))

  it.live(
    "headers, then a stalled body: 504 request_timeout at the request limit, the upstream closed, nothing in flight",
    () =>
      Effect.gen(function*() {
        const closed = yield* Deferred.make<void>()
        const gateway = yield* gatewayBefore((_, response) => {
          response.on("close", () => Deferred.doneUnsafe(closed, Effect.void))
          response.writeHead(200, { "content-type": "application/json" })
          response.write(`{"id":"stalled",`)
        }, { chunk: "100 millis", request: "600 millis" })
        const startedAt = Date.now()
        const response = yield* Effect.promise(() => call(gateway.url, "stalled"))
        const elapsed = Date.now() - startedAt
        assert.strictEqual(response.status, 504)
        const body = yield* Effect.promise(() => response.json() as Promise<{ error: { type: string } }>)
        assert.strictEqual(body.error.type, "request_timeout")
        // The request limit, not chunk (100 ms): the body was silent for longer than that.
        assert.isAtLeast(elapsed, 550)
        yield* Deferred.await(closed).pipe(Effect.timeout("2 seconds"))
        const line = yield* requestEnd(gateway, "stalled")
        assert.strictEqual(line["outcome"], "request_timeout")
        assert.strictEqual(line["status"], 504)
        // The line is written once the call's scope closed: its slot and in-flight count are free.
        assert.strictEqual(yield* inFlight(gateway), 0)
      })
  )

  it.live("the client leaving before the answer: one end line, the upstream closed, nothing in flight", () =>
    Effect.gen(function*() {
      const arrived = yield* Deferred.make<void>()
      const closed = yield* Deferred.make<void>()
      const gateway = yield* gatewayBefore((_, response) => {
        response.on("close", () => Deferred.doneUnsafe(closed, Effect.void))
        // Never answers: a provider still working on the whole answer.
        Deferred.doneUnsafe(arrived, Effect.void)
      }, { request: "30 seconds" })
      const controller = new AbortController()
      const request = call(gateway.url, "abandoned", controller.signal).catch(() => undefined)
      yield* Deferred.await(arrived).pipe(Effect.timeout("2 seconds"))
      assert.strictEqual(yield* inFlight(gateway), 1)
      controller.abort()
      yield* Effect.promise(() => request)
      const line = yield* requestEnd(gateway, "abandoned")
      assert.strictEqual(line["stream"], false)
      assert.strictEqual(line["outcome"], "interrupted")
      assert.strictEqual(line["disconnect"], "cancel")
      assert.strictEqual(line["status"], 499)
      yield* Deferred.await(closed).pipe(Effect.timeout("2 seconds"))
      assert.strictEqual(yield* inFlight(gateway), 0)
      assert.strictEqual(
        (yield* gateway.logs).filter((l) => l["requestId"] === "abandoned" && "outcome" in l).length,
        1
      )
    }))

  it.live("still running past the shutdown's drain timeout: 503 shutting_down, logged, the upstream closed", () =>
    Effect.gen(function*() {
      const arrived = yield* Deferred.make<void>()
      const closed = yield* Deferred.make<void>()
      const gatewayScope = yield* Scope.make()
      const gateway = yield* gatewayBefore(
        (_, response) => {
          response.on("close", () => Deferred.doneUnsafe(closed, Effect.void))
          Deferred.doneUnsafe(arrived, Effect.void)
        },
        { request: "30 seconds" },
        { drainTimeout: Duration.millis(200) }
      ).pipe(Scope.provide(gatewayScope))
      const answer = call(gateway.url, "shutdown").then(async (r) => ({ status: r.status, body: await r.text() }))
      yield* Deferred.await(arrived).pipe(Effect.timeout("2 seconds"))
      const stopping = yield* Effect.forkChild(Scope.close(gatewayScope, Exit.void))
      const response = yield* Effect.promise(() => answer)
      assert.strictEqual(response.status, 503)
      assert.include(response.body, "shutting_down")
      const line = yield* requestEnd(gateway, "shutdown")
      assert.strictEqual(line["outcome"], "shutting_down")
      assert.strictEqual(line["endedBy"], "shutdown")
      yield* Deferred.await(closed).pipe(Effect.timeout("2 seconds"))
      yield* Fiber.join(stopping)
    }))
})
