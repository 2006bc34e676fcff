import { assert, describe, it } from "@effect/vitest"
import type { ReadableSpan, SpanProcessor } from "@opentelemetry/sdk-trace-base"
import { InMemorySpanExporter, SimpleSpanProcessor } from "@opentelemetry/sdk-trace-base"
import { Config, Gateway } from "@streamguard/gateway"
import * as RequestSpan from "@streamguard/gateway/telemetry/RequestSpan"
import * as Telemetry from "@streamguard/gateway/telemetry/Telemetry"
import { UpstreamSimulator } from "@streamguard/simulator"
import { Context, Duration, Effect, Layer, Logger, Option, Queue, Redacted } from "effect"
import { HttpServer } from "effect/http"
import { serverPort } from "./GatewayUnderTest.js"

const upstreamKey = "sk-upstream-secret-0123456789"
const gatewayKey = "gw-client-secret-9876543210"

/**
 * A gateway in front of a fresh simulator whose spans go to an in-memory exporter; `ended` takes
 * each span as it ends (the exporter keeps them all).
 */
const startTraced = Effect.gen(function*() {
  const simulator = yield* UpstreamSimulator.make()
  const exporter = new InMemorySpanExporter()
  const simple = new SimpleSpanProcessor(exporter)
  const ended = yield* Queue.unbounded<ReadableSpan>()
  const processor: SpanProcessor = {
    onStart: (span, context) => simple.onStart(span, context),
    onEnd: (span) => {
      simple.onEnd(span)
      Queue.offerUnsafe(ended, span)
    },
    forceFlush: () => simple.forceFlush(),
    shutdown: () => simple.shutdown()
  }
  const config: Config.GatewayConfigShape = {
    ...Config.defaults,
    port: 0,
    host: "127.0.0.1",
    keepaliveInterval: Duration.seconds(15),
    gatewayKeys: [Redacted.make(gatewayKey)],
    upstreams: [
      Config.Upstream.make({ name: "traced", baseUrl: `${simulator.url}/v1`, dialect: "any", models: ["sim:*"] })
    ],
    upstreamKeys: new Map([["traced", Redacted.make(upstreamKey)]]),
    simulated: false
  }
  const telemetry = Telemetry.layer({ serviceName: "trace-test", spanProcessor: Option.some(processor) })
  const context = yield* Layer.build(
    Gateway.layer(config, telemetry).pipe(Layer.provide(Logger.layer([])))
  )
  const port = serverPort(Context.get(context, HttpServer.HttpServer))
  const next = Queue.take(ended).pipe(
    Effect.timeoutOrElse({ duration: "3 seconds", orElse: () => Effect.die("no span ended in time") })
  )
  return { url: `http://127.0.0.1:${port}`, simulator, exporter, next }
})

const post = (url: string, path: string, body: Record<string, unknown>, headers: Record<string, string> = {}) =>
  Effect.promise(() =>
    fetch(`${url}${path}`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${gatewayKey}`, ...headers },
      body: JSON.stringify({ max_tokens: 16, messages: [{ role: "user", content: "hi" }], ...body })
    }).then(async (r) => ({ status: r.status, text: await r.text() }))
  )

/** Every attribute value of a span and of its events, as text. */
const allValues = (span: ReadableSpan): ReadonlyArray<string> =>
  [span.attributes, ...span.events.map((event) => event.attributes ?? {})].flatMap((attributes) =>
    Object.values(attributes).map(String)
  )

describe("request spans", () => {
  it.live("one span per stream and per call, with the stream's phases, its outcome, and no address or key", () =>
    Effect.gen(function*() {
      const gateway = yield* startTraced
      const streamed = yield* post(
        gateway.url,
        "/v1/chat/completions",
        { model: "sim:steady?chunks=3&gap=1ms", stream: true },
        { "x-streamguard-profile": "chat", "x-request-id": "traced-stream" }
      )
      assert.strictEqual(streamed.status, 200)
      const stream = yield* gateway.next
      const called = yield* post(gateway.url, "/v1/messages", { model: "sim:steady?chunks=2&gap=1ms" })
      assert.strictEqual(called.status, 200)
      const call = yield* gateway.next
      const refused = yield* post(gateway.url, "/v1/chat/completions", { model: "sim:429", stream: true })
      assert.strictEqual(refused.status, 429)
      const failed = yield* gateway.next
      assert.strictEqual(gateway.exporter.getFinishedSpans().length, 3)

      assert.strictEqual(stream.name, "chat sim:steady?chunks=3&gap=1ms")
      assert.deepStrictEqual(stream.events.map((event) => event.name), ["started", "opened", "first_chunk", "ended"])
      assert.deepInclude(stream.attributes, {
        "gen_ai.operation.name": "chat",
        "gen_ai.provider.name": "openai",
        "gen_ai.request.model": "sim:steady?chunks=3&gap=1ms",
        "streamguard.request_id": "traced-stream",
        "streamguard.profile": "chat",
        "streamguard.upstream": "traced",
        "streamguard.stream": true,
        "streamguard.outcome": "done",
        "streamguard.chunks": 3,
        "http.response.status_code": 200
      })
      assert.strictEqual(stream.events.at(-1)!.attributes!["streamguard.outcome"], "done")
      assert.isUndefined(stream.attributes["error.type"])

      assert.deepStrictEqual(call.events.map((event) => event.name), ["ended"])
      assert.deepInclude(call.attributes, {
        "gen_ai.provider.name": "anthropic",
        "streamguard.stream": false,
        "streamguard.outcome": "done"
      })

      assert.deepInclude(failed.attributes, {
        "streamguard.outcome": "upstream_http_error",
        "error.type": "upstream_http_error",
        "http.response.status_code": 429
      })
      assert.strictEqual(failed.status.code, 2, "an error status")

      const address = new URL(gateway.simulator.url)
      for (const span of [stream, call, failed]) {
        assert.strictEqual(span.resource.attributes["service.name"], "trace-test")
        for (const value of allValues(span)) {
          for (const secret of [upstreamKey, gatewayKey, address.host, address.port]) {
            assert.notInclude(value, secret, `${span.name}: ${value}`)
          }
        }
      }
    }))

  it.live("a request carrying a traceparent gets a span in the caller's trace", () =>
    Effect.gen(function*() {
      const gateway = yield* startTraced
      const traceId = "4bf92f3577b34da6a3ce929d0e0e4736"
      const response = yield* post(
        gateway.url,
        "/v1/chat/completions",
        { model: "sim:steady?chunks=1&gap=1ms", stream: true },
        { traceparent: `00-${traceId}-00f067aa0ba902b7-01` }
      )
      assert.strictEqual(response.status, 200)
      const span = yield* gateway.next
      assert.strictEqual(span.spanContext().traceId, traceId)
      assert.strictEqual(span.parentSpanContext?.spanId, "00f067aa0ba902b7")
    }))
})

describe("RequestSpan.parseTraceparent", () => {
  it("reads a W3C traceparent and refuses malformed or all-zero ones", () => {
    assert.deepStrictEqual(RequestSpan.parseTraceparent("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"), {
      traceId: "4bf92f3577b34da6a3ce929d0e0e4736",
      spanId: "00f067aa0ba902b7",
      traceFlags: 1,
      isRemote: true
    })
    assert.isUndefined(RequestSpan.parseTraceparent(undefined))
    assert.isUndefined(RequestSpan.parseTraceparent("00-00000000000000000000000000000000-00f067aa0ba902b7-01"))
    assert.isUndefined(RequestSpan.parseTraceparent("ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"))
    assert.isUndefined(RequestSpan.parseTraceparent("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-x"))
    assert.isUndefined(RequestSpan.parseTraceparent("not a traceparent"))
  })
})
