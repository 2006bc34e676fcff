import { assert, describe, it } from "@effect/vitest"
import { Metrics } from "@streamguard/gateway"
import { Effect, Metric, MetricBoundaries } from "effect"

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
