import { assert, describe, it } from "@effect/vitest"
import * as Telemetry from "@streamguard/gateway/telemetry/Telemetry"
import { Scenario, ScenarioSpec, Step } from "@streamguard/simulator"
import { Context, Effect, Layer, Metric, Option } from "effect"
import { inFlight, requestEnd, start, streamEnd } from "./GatewayUnderTest.js"
import * as Prometheus from "./Prometheus.js"

/** The value of the one series named `name` whose labels include all of `labels`. */
const sample = (exposition: Prometheus.Exposition, name: string, ...labels: ReadonlyArray<string>): number => {
  const found = [...exposition.series].filter(([id]) =>
    id.startsWith(`${name}{`) && labels.every((label) => id.includes(label))
  )
  assert.strictEqual(found.length, 1, `${name} ${labels.join(" ")}`)
  return found[0]![1]
}

const metricsText = (url: string) => Effect.promise(() => fetch(`${url}/metrics`).then((r) => r.text()))

const post = (url: string, path: string, body: Record<string, unknown>, headers: Record<string, string> = {}) =>
  Effect.promise(() =>
    fetch(`${url}${path}`, {
      method: "POST",
      headers: { "content-type": "application/json", ...headers },
      body: JSON.stringify({ max_tokens: 16, messages: [{ role: "user", content: "hi" }], ...body })
    }).then(async (r) => ({ status: r.status, text: await r.text() }))
  )

/** One scrape of a telemetry layer of its own (no traces), as `/metrics` serves it. */
const scrape = Effect.scoped(
  Effect.flatMap(
    Layer.build(Telemetry.layer({ serviceName: "metrics-test", spanProcessor: Option.none() })),
    (context) => Context.get(context, Telemetry.Telemetry).scrape
  )
)

describe("Telemetry.scrape", () => {
  it.effect("writes Effect counters with labels and cumulative histogram buckets through the Prometheus exporter", () =>
    Effect.gen(function*() {
      const counter = Metric.counter("test_requests_total", { description: "requests", incremental: true }).pipe(
        Metric.withAttributes({ endpoint: "openaiChat" })
      )
      const histogram = Metric.histogram("test_latency_ms", { boundaries: Metric.boundariesFromIterable([10, 100]) })
      yield* Metric.update(counter, 1)
      yield* Metric.update(counter, 1)
      yield* Metric.update(histogram, 5)
      yield* Metric.update(histogram, 50)
      yield* Metric.update(histogram, 500)
      const exposition = Prometheus.parse(yield* scrape)
      assert.strictEqual(exposition.types.get("test_requests_total"), "COUNTER")
      assert.strictEqual(exposition.types.get("test_latency_ms"), "HISTOGRAM")
      assert.strictEqual(exposition.series.get("test_requests_total{endpoint=\"openaiChat\"}"), 2)
      assert.strictEqual(exposition.series.get("test_latency_ms_bucket{le=\"10\"}"), 1)
      assert.strictEqual(exposition.series.get("test_latency_ms_bucket{le=\"100\"}"), 2)
      assert.strictEqual(exposition.series.get("test_latency_ms_bucket{le=\"+Inf\"}"), 3)
      assert.strictEqual(exposition.series.get("test_latency_ms_count{}"), 3)
      assert.strictEqual(exposition.series.get("test_latency_ms_sum{}"), 555)
      // The resource, as OpenTelemetry's Prometheus exporters write it; no scope label on the series.
      assert.strictEqual(exposition.types.get("target_info"), "GAUGE")
      assert.notInclude(yield* scrape, "otel_scope_name")
    }))

  it.effect("writes each histogram's +Inf bucket once", () =>
    Effect.gen(function*() {
      const histogram = Metric.histogram("test_once_seconds", { boundaries: Metric.boundariesFromIterable([1]) }).pipe(
        Metric.withAttributes({ upstream: "a" })
      )
      yield* Metric.update(histogram, 2)
      const text = yield* scrape
      const infs = text.split("\n").filter((line) =>
        line.startsWith("test_once_seconds_bucket{") && line.includes("+Inf")
      )
      assert.deepStrictEqual(infs, ["test_once_seconds_bucket{upstream=\"a\",le=\"+Inf\"} 1"])
    }))
})

describe("/metrics", () => {
  it.live("parses whole as Prometheus text, each series once, after streams, calls and errors", () =>
    Effect.gen(function*() {
      const gateway = yield* start({}, { upstreamName: "scrape" })
      yield* post(gateway.url, "/v1/chat/completions", { model: "sim:steady?chunks=3&gap=1ms", stream: true })
      yield* post(gateway.url, "/v1/messages", { model: "sim:steady?chunks=3&gap=1ms", stream: true })
      yield* post(gateway.url, "/v1/responses", { model: "sim:steady?chunks=2&gap=1ms" })
      yield* post(gateway.url, "/v1/chat/completions", { model: "sim:429", stream: true })
      yield* post(gateway.url, "/v1/chat/completions", { model: "nope" })
      const exposition = Prometheus.parse(yield* metricsText(gateway.url))
      assert.strictEqual(exposition.types.get("streamguard_gateway_requests_total"), "COUNTER")
      assert.strictEqual(exposition.types.get("streamguard_gateway_streams_in_flight"), "GAUGE")
      assert.isAtLeast(
        [...exposition.types.values()].filter((type) => type === "HISTOGRAM").length,
        1,
        "the stream histograms are there"
      )
      assert.strictEqual(sample(exposition, "streamguard_gateway_requests_total", "status=\"429\""), 1)
    }))

  it.live("counts a streamed request under the status its client received (200), as a batch call is", () =>
    Effect.gen(function*() {
      const gateway = yield* start({}, { upstreamName: "status" })
      // The metrics are the process's: what this test adds is the difference.
      const counts = Effect.map(metricsText(gateway.url), (text) =>
        new Map(
          [...Prometheus.parse(text).series].filter(([id]) => id.startsWith("streamguard_gateway_requests_total{"))
        ))
      const before = yield* counts
      for (const path of ["/v1/chat/completions", "/v1/messages", "/v1/responses"]) {
        const streamed = yield* post(gateway.url, path, { model: "sim:steady?chunks=3&gap=1ms", stream: true })
        assert.strictEqual(streamed.status, 200, path)
      }
      const batch = yield* post(gateway.url, "/v1/chat/completions", { model: "sim:steady?chunks=2&gap=1ms" })
      assert.strictEqual(batch.status, 200)
      const after = yield* counts
      const added = [...after].flatMap(([id, value]) =>
        value === (before.get(id) ?? 0)
          ? []
          : [[id.replace("streamguard_gateway_requests_total", ""), value - (before.get(id) ?? 0)]]
      )
      assert.deepStrictEqual(added.sort(), [
        ["{endpoint=\"anthropic\",status=\"200\"}", 1],
        ["{endpoint=\"openaiChat\",status=\"200\"}", 2],
        ["{endpoint=\"openaiResponses\",status=\"200\"}", 1]
      ])
    }))

  it.live("after one streamed request, has every documented name, each series once", () =>
    Effect.gen(function*() {
      const gateway = yield* start({}, { upstreamName: "named" })
      const response = yield* post(gateway.url, "/v1/chat/completions", {
        model: "sim:steady?chunks=3&gap=1ms",
        stream: true
      })
      assert.strictEqual(response.status, 200)
      yield* streamEnd(gateway)
      const exposition = Prometheus.parse(yield* metricsText(gateway.url))
      const documented: ReadonlyArray<readonly [string, string]> = [
        ["streamguard_gateway_requests_total", "COUNTER"],
        ["streamguard_gateway_streams_in_flight", "GAUGE"],
        ["streamguard_streams_started_total", "COUNTER"],
        ["streamguard_streams_ended_total", "COUNTER"],
        ["streamguard_streams_open", "GAUGE"],
        ["streamguard_chunks_received_total", "COUNTER"],
        ["streamguard_keepalives_received_total", "COUNTER"],
        ["streamguard_bytes_received_total", "COUNTER"],
        ["streamguard_time_to_first_chunk_seconds", "HISTOGRAM"],
        ["streamguard_chunk_gap_seconds", "HISTOGRAM"],
        ["streamguard_stream_duration_seconds", "HISTOGRAM"],
        ["gen_ai_client_operation_duration", "HISTOGRAM"],
        ["gen_ai_client_operation_time_to_first_chunk", "HISTOGRAM"],
        ["gen_ai_client_token_usage", "HISTOGRAM"],
        ["target_info", "GAUGE"]
      ]
      for (const [name, type] of documented) assert.strictEqual(exposition.types.get(name), type, name)
      const genAi = [`upstream="named"`, `gen_ai_operation_name="chat"`, `gen_ai_provider_name="openai"`]
      assert.strictEqual(sample(exposition, "gen_ai_client_operation_duration_count", ...genAi), 1)
      assert.strictEqual(sample(exposition, "gen_ai_client_operation_time_to_first_chunk_count", ...genAi), 1)
      assert.strictEqual(
        sample(exposition, "gen_ai_client_token_usage_count", ...genAi, `gen_ai_token_type="output"`),
        1
      )
      assert.strictEqual(
        sample(exposition, "streamguard_streams_ended_total", `upstream="named"`, `outcome="done"`),
        1
      )
    }))
})

describe("the stream-end log line", () => {
  it.live("counts chunks, bytes and duration as /metrics does for the same stream", () =>
    Effect.gen(function*() {
      const gateway = yield* start({}, { upstreamName: "agree" })
      const response = yield* post(gateway.url, "/v1/messages", {
        model: "sim:steady?chunks=5&gap=2ms",
        stream: true
      })
      assert.include(response.text, "message_stop")
      const line = yield* streamEnd(gateway)
      const exposition = Prometheus.parse(yield* metricsText(gateway.url))
      const label = `upstream="agree"`
      assert.strictEqual(line["chunks"], 5)
      assert.strictEqual(line["chunks"], sample(exposition, "streamguard_chunks_received_total", label))
      assert.strictEqual(line["bytes"], sample(exposition, "streamguard_bytes_received_total", label))
      // The duration histogram is in seconds: one stream, so its sum is this stream's duration.
      assert.closeTo(
        line["durationMs"] as number,
        sample(exposition, "streamguard_stream_duration_seconds_sum", label) * 1000,
        1e-6
      )
    }))

  const noPings = "keepalive=none"
  for (
    // Anthropic's opening carries one ping of its own after content_block_start, as the real API does.
    const [endpoint, path, openingPings] of [
      ["chat completions", "/v1/chat/completions", 0],
      ["Responses", "/v1/responses", 0],
      ["Messages", "/v1/messages", 1]
    ] as const
  ) {
    it.live(`${endpoint}: keepalives counts the upstream's pings, not its lifecycle frames`, () =>
      Effect.gen(function*() {
        const gateway = yield* start()
        // Three chunks and no pings: the opening and closing frames are not keepalives.
        const plain = yield* post(
          gateway.url,
          path,
          { model: `sim:steady?chunks=3&gap=1ms&${noPings}`, stream: true },
          { "x-request-id": "plain" }
        )
        assert.strictEqual(plain.status, 200)
        const plainLine = yield* requestEnd(gateway, "plain")
        assert.strictEqual(plainLine["outcome"], "done")
        assert.strictEqual(plainLine["chunks"], 3)
        assert.strictEqual(plainLine["keepalives"], openingPings)
        // The same three chunks with four pings between them.
        const scenario = Scenario.script([
          Step.chunk("a"),
          Step.keepalive,
          Step.keepalive,
          Step.chunk("b"),
          Step.keepalive,
          Step.keepalive,
          Step.chunk("c"),
          Step.done
        ])
        const pinged = yield* post(
          gateway.url,
          path,
          { model: "sim:scripted", stream: true },
          { "x-request-id": "pinged", "x-sim-scenario": ScenarioSpec.toHeader(scenario) }
        )
        assert.strictEqual(pinged.status, 200)
        const pingedLine = yield* requestEnd(gateway, "pinged")
        assert.strictEqual(pingedLine["chunks"], 3)
        assert.strictEqual(pingedLine["keepalives"], openingPings + 4)
      }))
  }
})

describe("the in-flight gauge", () => {
  it.live("counts a stream while it is relayed and drops when the client leaves", () =>
    Effect.gen(function*() {
      const gateway = yield* start()
      const controller = new AbortController()
      const during = yield* Effect.promise(async () => {
        const response = await fetch(`${gateway.url}/v1/chat/completions`, {
          method: "POST",
          signal: controller.signal,
          headers: { "content-type": "application/json" },
          body: JSON.stringify({
            model: "sim:steady?chunks=100&gap=20ms",
            stream: true,
            messages: [{ role: "user", content: "hi" }]
          })
        })
        const reader = response.body!.getReader()
        await reader.read()
        const text = await fetch(`${gateway.url}/metrics`).then((r) => r.text())
        controller.abort()
        return text
      })
      assert.include(during, "streamguard_gateway_streams_in_flight 1")
      // The end line is written once the request's scope closed, which let go of its count.
      const line = yield* streamEnd(gateway)
      assert.strictEqual(line["disconnect"], "cancel")
      assert.strictEqual(yield* inFlight(gateway), 0)
    }))
})
