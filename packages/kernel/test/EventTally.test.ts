import { EventTally, StreamEvent } from "@streamguard/kernel"
import { assert, describe, it } from "vitest"

describe("EventTally", () => {
  it("says how far a stream had got: chunks, the last event and the silence since, the done signal", () => {
    const tally = new EventTally.EventTally(1_000)
    assert.deepStrictEqual(tally.details(30_000, 31_000), {
      limitMillis: 30_000,
      elapsedMillis: 30_000,
      chunks: 0,
      sinceLastEventMillis: 30_000,
      lastEvent: "none"
    })
    tally.event(StreamEvent.Chunk({ value: "a", bytes: 1 }), 2_000)
    tally.event(StreamEvent.Keepalive({ bytes: 1 }), 5_000)
    assert.deepStrictEqual(tally.details(10_000, 15_000), {
      limitMillis: 10_000,
      elapsedMillis: 14_000,
      chunks: 1,
      sinceLastEventMillis: 10_000,
      lastEvent: "keepalive"
    })
    assert.isFalse(tally.done)
    tally.event(StreamEvent.Done({ bytes: 1 }), 6_000)
    assert.isTrue(tally.done)
    assert.strictEqual(tally.elapsed(6_000), 5_000)
  })
})
