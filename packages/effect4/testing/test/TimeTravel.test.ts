import { assert, describe, it } from "@effect/vitest"
import { TimeTravel } from "@streamguard/testing"
import { Data, Effect, Option } from "effect"

class Boom extends Data.TaggedError("Boom")<{}> {}
class Other extends Data.TaggedError("Other")<{}> {}

const failsAfter = (millis: number, error: Boom | Other) => Effect.andThen(Effect.sleep(millis), Effect.fail(error))

describe("TimeTravel", () => {
  it.effect("expectSuccess gives the value of an effect that ends exactly at `at`", () =>
    Effect.gen(function*() {
      const value = yield* TimeTravel.expectSuccess(Effect.as(Effect.sleep("90 seconds"), 42), { at: "90 seconds" })
      assert.strictEqual(value, 42)
    }))

  it.effect("expectSuccess fails, naming the real moment, when the effect ends a millisecond early", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(TimeTravel.expectSuccess(Effect.sleep(29_999), { at: "30 seconds" }))
      assert.strictEqual(error.message, "expected to have succeeded at 30000 ms, but it succeeded at 29999 ms")
    }))

  it.effect("expectSuccess fails when the effect is still running at `at` (and interrupts it)", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(TimeTravel.expectSuccess(Effect.sleep(30_001), { at: "30 seconds" }))
      assert.strictEqual(error.message, "expected to have succeeded at 30000 ms, but it was still running at 30000 ms")
    }))

  it.effect("expectFailure gives the typed error with the expected tag at the expected moment", () =>
    Effect.gen(function*() {
      const error = yield* TimeTravel.expectFailure(failsAfter(5000, new Boom()), "Boom", { at: "5 seconds" })
      assert.instanceOf(error, Boom)
    }))

  it.effect("expectFailure fails on another error, naming it", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(
        TimeTravel.expectFailure(failsAfter(5000, new Other()), "Boom", { at: "5 seconds" })
      )
      assert.strictEqual(
        error.message,
        "expected to have failed with Boom at 5000 ms, but it failed with Other at 5000 ms"
      )
    }))

  it.effect("runFor gives None for an effect still running, and how and when it ended otherwise", () =>
    Effect.gen(function*() {
      assert.isTrue(Option.isNone(yield* TimeTravel.runFor(Effect.never, "1 hour")))
      const ended = yield* TimeTravel.runFor(Effect.sleep("2 seconds"), "1 minute")
      assert.strictEqual(Option.map(ended, (e) => e.atMillis).pipe(Option.getOrUndefined), 2000)
    }))
})
