import { assert, describe, it } from "@effect/vitest"
import * as Recommendation from "@streamguard/cli/Recommendation"
import * as Summary from "@streamguard/cli/Summary"

const summary = (over: Partial<Summary.Summary>): Summary.Summary => ({
  runs: 1,
  outcomes: { done: 1 },
  headers: Summary.distribution([]),
  firstContent: Summary.distribution([]),
  eventGaps: Summary.distribution([]),
  contentGaps: Summary.distribution([]),
  keepaliveIntervals: Summary.distribution([]),
  keepalives: 0,
  duration: Summary.distribution([]),
  stalls: [],
  ...over
})

describe("Recommendation", () => {
  it("is the worst case times the margin, rounded up, never under the floor", () => {
    const r = Recommendation.recommend(
      summary({
        firstContent: Summary.distribution([2040, 1990]),
        eventGaps: Summary.distribution([50, 120, 40]),
        contentGaps: Summary.distribution([9000]),
        duration: Summary.distribution([95_000])
      }),
      { margin: 2 }
    )
    assert.deepStrictEqual(r.limits.map((l) => [l.field, l.value]), [
      ["firstChunk", "4.1s"],
      ["chunk", "1s"],
      ["progress", "18s"],
      ["total", "190s"]
    ])
    assert.include(r.limits[1]!.basis, "raised to the 1s floor")
    assert.deepStrictEqual(Recommendation.envLines(r, "my-agent").slice(0, 2), [
      "STREAMGUARD_MY_AGENT_FIRST_CHUNK_TIMEOUT=4.1s",
      "STREAMGUARD_MY_AGENT_CHUNK_TIMEOUT=1s"
    ])
    assert.deepStrictEqual(JSON.parse(Recommendation.configBlock(r, "chat")).profiles.chat.progress, "18s")
  })

  it("leaves out what nothing measured", () => {
    const r = Recommendation.recommend(summary({ firstContent: Summary.distribution([300]) }))
    assert.deepStrictEqual(r.limits.map((l) => l.field), ["firstChunk"])
  })

  it("percentiles are by nearest rank", () => {
    const values = Array.from({ length: 100 }, (_, i) => i + 1)
    assert.strictEqual(Summary.percentile(values, 50), 50)
    assert.strictEqual(Summary.percentile(values, 99), 99)
    assert.strictEqual(Summary.percentile([7], 99), 7)
    assert.isUndefined(Summary.percentile([], 50))
  })
})
