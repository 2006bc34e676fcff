import { assert, describe, it } from "@effect/vitest"
import { Guard, StreamEvent, TimeoutPolicy } from "@streamguard/core"
import { Clock, Effect, Stream } from "effect"
import { forClock } from "../src/internal/deadlines.js"

describe("the deadline scheduler", () => {
  it.live("holds no timer once the last guarded stream has ended (a process can exit)", () =>
    Effect.gen(function*() {
      const clock = yield* Clock.Clock
      const upstream = Stream.make(
        StreamEvent.Chunk({ value: "a", bytes: 1 }),
        StreamEvent.Done({ bytes: 1 })
      )
      const content = yield* upstream.pipe(
        Guard.guard(TimeoutPolicy.unsafeMake({ chunk: "10 minutes", total: "1 hour" })),
        Stream.runCollect
      )
      assert.deepStrictEqual([...content], ["a"])
      const deadlines = forClock(clock)
      assert.strictEqual(deadlines.size, 0)
      assert.isFalse(deadlines.armed, "no fiber sleeps for a deadline of a stream that ended")
    }))
})
