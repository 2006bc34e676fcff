import { assert, describe, it } from "@effect/vitest"
import { isError, SoakTally } from "../../src/soak/SoakTally.js"

describe("SoakTally", () => {
  it("streams the soak closed and completed ones are not errors", () => {
    assert.isFalse(isError("done"))
    assert.isFalse(isError("closed_by_soak"))
    assert.isTrue(isError("http_503"))
    assert.isTrue(isError("inband:chunk_timeout"))
  })

  it("a window holds what happened since the last one; the totals hold everything", () => {
    const tally = new SoakTally()
    tally.started("long")
    tally.started("steady")
    tally.ended("done", { lost: 1, duplicated: 0 })
    tally.ended("socket:ECONNRESET")
    tally.firstChunk(10, "ramp")
    const first = tally.takeWindow()
    assert.deepStrictEqual(first.started, { long: 1, steady: 1 })
    assert.deepStrictEqual(first.outcomes, { done: 1, "socket:ECONNRESET": 1 })
    assert.strictEqual(first.errors, 1)
    assert.strictEqual(first.resets, 1)
    assert.strictEqual(first.lostChunks, 1)
    assert.strictEqual(first.ttfcMillis.p50, 10)
    assert.deepStrictEqual(first.errorsByClass, { socket: 1 })
    tally.ended("http_503")
    const second = tally.takeWindow()
    assert.deepStrictEqual(second.outcomes, { http_503: 1 })
    assert.strictEqual(second.ttfcMillis.count, 0)
    const totals = tally.totals()
    assert.strictEqual(totals.errors, 2)
    assert.deepStrictEqual(totals.started, { long: 1, steady: 1 })
  })

  it("keeps the latencies of streams started during the ramp apart from those started after", () => {
    const tally = new SoakTally()
    for (const millis of [900, 1200, 15_000]) tally.firstChunk(millis, "ramp")
    for (const millis of [20, 25, 30]) tally.firstChunk(millis, "held")
    tally.opened(400, "ramp")
    tally.opened(5, "held")
    const totals = tally.totals()
    assert.deepStrictEqual(totals.ttfcByPhase.ramp, { count: 3, p50: 1200, p99: 15_000, max: 15_000 })
    assert.deepStrictEqual(totals.ttfcByPhase.held, { count: 3, p50: 25, p99: 30, max: 30 })
    assert.strictEqual(totals.ttfcMillis.count, 6)
    assert.strictEqual(totals.openByPhase.ramp.p50, 400)
    assert.strictEqual(totals.openByPhase.held.p50, 5)
  })

  it("counts errors by class, the uncaught ones included", () => {
    const tally = new SoakTally()
    for (
      const outcome of ["done", "closed_by_soak", "socket:ECONNRESET", "socket:EPIPE", "descriptors:EMFILE", "http_503"]
    ) {
      tally.ended(outcome)
    }
    tally.ended("uncaught:socket:ECONNRESET")
    const totals = tally.totals()
    assert.strictEqual(totals.errors, 5)
    assert.deepStrictEqual(totals.errorsByClass, { descriptors: 1, http: 1, socket: 2, uncaught: 1 })
    // A reset is a reset where a stream saw it; an uncaught one is counted under uncaught.
    assert.strictEqual(totals.resets, 1)
  })
})
