import { assert, describe, it } from "@effect/vitest"
import { Metrics } from "@streamguard/gateway"
import { Effect, Metric, MetricBoundaries, Schedule } from "effect"
import { start, streamEnd } from "./GatewayUnderTest.js"

/** The value of one sample line of Prometheus text whose name and labels include all of `parts`. */
const sample = (text: string, name: string, ...parts: ReadonlyArray<string>): number => {
  const line = text.split("\n").find((l) => l.startsWith(`${name}{`) && parts.every((part) => l.includes(part)))
  assert.isDefined(line, `${name} ${parts.join(" ")}`)
  return Number(line!.slice(line!.lastIndexOf(" ") + 1))
}

describe("Metrics.render", () => {
  it.effect("writes counters with labels and cumulative histogram buckets in Prometheus text", () =>
    Effect.gen(function*() {
      const counter = Metric.counter("test_requests_total", { description: "requests" }).pipe(
        Metric.tagged("endpoint", "openaiChat")
      )
      const histogram = Metric.histogram(
        "test_latency_ms",
        MetricBoundaries.fromIterable([10, 100])
      )
      yield* Metric.increment(counter)
      yield* Metric.increment(counter)
      yield* Metric.update(histogram, 5)
      yield* Metric.update(histogram, 50)
      yield* Metric.update(histogram, 500)
      const text = yield* Metrics.render
      assert.include(text, "# TYPE test_requests_total counter")
      assert.include(text, "test_requests_total{endpoint=\"openaiChat\"} 2")
      assert.include(text, "test_latency_ms_bucket{le=\"10\"} 1")
      assert.include(text, "test_latency_ms_bucket{le=\"100\"} 2")
      assert.include(text, "test_latency_ms_bucket{le=\"+Inf\"} 3")
      assert.include(text, "test_latency_ms_count 3")
      assert.include(text, "test_latency_ms_sum 555")
    }))
})

describe("the stream-end log line", () => {
  it.scopedLive("counts chunks, keepalives, bytes and duration as /metrics does for the same stream", () =>
    Effect.gen(function*() {
      const gateway = yield* start({}, { upstreamName: "agree" })
      const response = yield* Effect.promise(() =>
        fetch(`${gateway.url}/v1/messages`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({
            model: "sim:steady?chunks=5&gap=2ms",
            max_tokens: 16,
            stream: true,
            messages: [{ role: "user", content: "hi" }]
          })
        }).then((r) => r.text())
      )
      assert.include(response, "message_stop")
      const line = yield* streamEnd(gateway)
      const text = yield* Effect.promise(() => fetch(`${gateway.url}/metrics`).then((r) => r.text()))
      const label = `upstream="agree"`
      assert.strictEqual(line["chunks"], 5)
      assert.strictEqual(line["chunks"], sample(text, "streamguard_chunks_received_total", label))
      assert.isAbove(line["keepalives"] as number, 0)
      assert.strictEqual(line["keepalives"], sample(text, "streamguard_keepalives_received_total", label))
      assert.strictEqual(line["bytes"], sample(text, "streamguard_bytes_received_total", label))
      // The duration histogram is in seconds: one stream, so its sum is this stream's duration.
      assert.closeTo(
        line["durationMs"] as number,
        sample(text, "streamguard_stream_duration_seconds_sum", label) * 1000,
        1e-6
      )
    }))
})

describe("the in-flight gauge", () => {
  it.scopedLive("counts a stream while it is relayed and drops when the client leaves", () =>
    Effect.gen(function*() {
      const gateway = yield* start()
      const metric = () => fetch(`${gateway.url}/metrics`).then((r) => r.text())
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
        const text = await metric()
        controller.abort()
        return text
      })
      assert.include(during, "streamguard_gateway_streams_in_flight 1")
      // The count drops as the gateway sees the client leave, a moment after the abort.
      const after = yield* Effect.promise(metric).pipe(
        Effect.filterOrFail((text) => text.includes("streamguard_gateway_streams_in_flight 0"), () => "in flight"),
        Effect.retry({ schedule: Schedule.spaced("25 millis"), times: 40 }),
        Effect.orElse(() => Effect.promise(metric))
      )
      assert.include(after, "streamguard_gateway_streams_in_flight 0")
    }))
})
