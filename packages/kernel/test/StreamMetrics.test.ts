import { StreamMetrics } from "@streamguard/kernel"
import { assert, describe, it } from "vitest"

describe("StreamMetrics", () => {
  it("every metric has its own streamguard_ name, and the histograms' buckets span what they promise", () => {
    const all = Object.values(StreamMetrics)
    const names = all.map((metric) => metric.name)
    assert.strictEqual(new Set(names).size, names.length)
    for (const name of names) assert.match(name, /^streamguard_[a-z_]+$/)
    const top = ({ buckets }: StreamMetrics.HistogramDefinition) =>
      buckets.start * buckets.factor ** (buckets.count - 1)
    assert.isAbove(top(StreamMetrics.timeToFirstChunk), 400, "time to first chunk up to ~7 minutes")
    assert.isAbove(top(StreamMetrics.chunkGap), 120, "gaps up to ~2 minutes")
    assert.isAbove(top(StreamMetrics.streamDuration), 6_000, "durations up to ~1.8 hours")
  })
})
