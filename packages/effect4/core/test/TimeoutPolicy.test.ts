import { assert, describe, it } from "@effect/vitest"
import { Guard, RequestProfile, StreamEvent, TimeoutPolicy } from "@streamguard/core"
import { Cause, Duration, Effect, Exit, Fiber, Option, Result, Schema, Stream } from "effect"
import { TestClock } from "effect/testing"

const decodeTimeout = Schema.decodeUnknownResult(TimeoutPolicy.Timeout)
const millisOf = (input: unknown) => Result.map(decodeTimeout(input), Duration.toMillis)

describe("TimeoutPolicy", () => {
  it("Timeout reads the long and short forms operators type, and numbers as milliseconds", () => {
    assert.deepStrictEqual(millisOf("30 seconds"), Result.succeed(30_000))
    assert.deepStrictEqual(millisOf("30s"), Result.succeed(30_000))
    assert.deepStrictEqual(millisOf("2m"), Result.succeed(120_000))
    assert.deepStrictEqual(millisOf("1500 millis"), Result.succeed(1_500))
    assert.deepStrictEqual(millisOf("1500ms"), Result.succeed(1_500))
    assert.deepStrictEqual(millisOf("1500"), Result.succeed(1_500))
    assert.deepStrictEqual(millisOf(2500), Result.succeed(2_500))
    assert.deepStrictEqual(millisOf(" 1h "), Result.succeed(3_600_000))
  })

  it("Timeout reads none as no limit", () => {
    const none = decodeTimeout("none")
    assert.isTrue(Result.isSuccess(none) && !Duration.isFinite(none.success))
  })

  it("Timeout rejects zero, negative and unreadable values", () => {
    for (const bad of ["0s", 0, -5, "-3s", "soon", "", "30 parsecs"]) {
      assert.isTrue(Result.isFailure(decodeTimeout(bad)), `${JSON.stringify(bad)} should be rejected`)
    }
  })

  it.effect("decodeUnknown names the field of a bad value", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(TimeoutPolicy.decodeUnknown({ chunk: "45s", total: "0s" }))
      assert.include(error.message, "total")
      assert.include(error.message, "positive")
      const policy = yield* TimeoutPolicy.decodeUnknown({ chunk: "45s", total: "none" })
      assert.deepStrictEqual(Option.map(TimeoutPolicy.limit(policy, "chunk"), Duration.toMillis), Option.some(45_000))
      assert.isTrue(Option.isNone(TimeoutPolicy.limit(policy, "total")))
    }))

  it("without: the named limits are gone, the others kept, and a later merge sets one again", () => {
    const base = TimeoutPolicy.unsafeMake({
      chunk: "30 seconds",
      progress: "10 minutes",
      total: "1 hour",
      minRate: "5/10s"
    })
    const lifted = TimeoutPolicy.without(base, ["progress", "total", "minRate"])
    assert.deepStrictEqual(Option.map(TimeoutPolicy.limit(lifted, "chunk"), Duration.toMillis), Option.some(30_000))
    assert.isTrue(Option.isNone(TimeoutPolicy.limit(lifted, "progress")))
    assert.isTrue(Option.isNone(TimeoutPolicy.limit(lifted, "total")))
    assert.isTrue(Option.isNone(TimeoutPolicy.minRate(lifted)))
    const again = TimeoutPolicy.merge(lifted, { total: Duration.minutes(5) })
    assert.deepStrictEqual(Option.map(TimeoutPolicy.limit(again, "total"), Duration.toMillis), Option.some(300_000))
  })

  it("merge: a field set in the override wins, an absent one keeps the base, none clears it", () => {
    const base = TimeoutPolicy.unsafeMake({ connect: "10 seconds", chunk: "30 seconds", total: "120 seconds" })
    const merged = TimeoutPolicy.merge(base, { chunk: Duration.seconds(45), total: Duration.infinity })
    const limits = Object.fromEntries(
      TimeoutPolicy.fields.map((field) => [field, Option.getOrUndefined(TimeoutPolicy.limit(merged, field))])
    )
    assert.deepStrictEqual(
      Object.fromEntries(
        Object.entries(limits).filter(([, v]) => v !== undefined).map(([k, v]) => [k, Duration.toMillis(v!)])
      ),
      { connect: 10_000, chunk: 45_000 }
    )
  })

  it("merge: an override that changes nothing gives the base policy itself, not a copy", () => {
    const base = TimeoutPolicy.unsafeMake({ chunk: "30 seconds", total: "120 seconds", minRate: "5/10s" })
    assert.strictEqual(TimeoutPolicy.merge(base, {}), base)
    assert.strictEqual(TimeoutPolicy.merge(base, { total: 120_000, chunk: "30 seconds", minRate: base.minRate }), base)
    const changed = TimeoutPolicy.merge(base, { total: 60_000 })
    assert.notStrictEqual(changed, base)
    assert.deepStrictEqual(Option.map(TimeoutPolicy.limit(changed, "total"), Duration.toMillis), Option.some(60_000))
    assert.notStrictEqual(TimeoutPolicy.merge(base, { connect: "1 second" }), base)
  })

  it("make takes durations and cannot fail; unsafeMake reads literals and throws on a bad one, naming the field", () => {
    const policy = TimeoutPolicy.make({ chunk: Duration.seconds(30), total: Duration.infinity })
    assert.deepStrictEqual(Option.map(TimeoutPolicy.limit(policy, "chunk"), Duration.toMillis), Option.some(30_000))
    assert.isTrue(Option.isNone(TimeoutPolicy.limit(policy, "total")))
    const literal = TimeoutPolicy.unsafeMake({ chunk: "30 seconds", firstChunk: 5_000 })
    assert.deepStrictEqual(
      Option.map(TimeoutPolicy.limit(literal, "firstChunk"), Duration.toMillis),
      Option.some(5_000)
    )
    for (const bad of [0, -5, "soon" as Duration.Input]) {
      assert.throws(() => TimeoutPolicy.unsafeMake({ progress: bad }), /TimeoutPolicy\.progress/)
    }
  })

  it("make takes duration inputs as Effect's own APIs do: a Duration, millis, or a literal such as \"300 millis\"", () => {
    const policy = TimeoutPolicy.make({ chunk: "300 millis", firstChunk: 5_000, total: Duration.infinity })
    assert.deepStrictEqual(Option.map(TimeoutPolicy.limit(policy, "chunk"), Duration.toMillis), Option.some(300))
    assert.deepStrictEqual(Option.map(TimeoutPolicy.limit(policy, "firstChunk"), Duration.toMillis), Option.some(5_000))
    assert.isTrue(Option.isNone(TimeoutPolicy.limit(policy, "total")))
    // What the policy holds is a Duration, whatever it was given.
    assert.isTrue(Duration.isDuration(policy.chunk))
    const merged = TimeoutPolicy.merge(policy, { chunk: "2 seconds", progress: 1_500 })
    assert.deepStrictEqual(Option.map(TimeoutPolicy.limit(merged, "chunk"), Duration.toMillis), Option.some(2_000))
    assert.deepStrictEqual(Option.map(TimeoutPolicy.limit(merged, "progress"), Duration.toMillis), Option.some(1_500))
  })

  it("make, from plain JavaScript, throws at once on a value that is no duration, naming the field and the value", () => {
    const untyped = (fields: unknown) => () => TimeoutPolicy.make(fields as TimeoutPolicy.Fields)
    assert.throws(untyped({ chunk: "soon" }), /TimeoutPolicy\.chunk: .*"soon"/)
    // Effect 4 reads any object as a duration of its units (`{ seconds: 3 }`); a pair must be numbers.
    assert.throws(untyped({ connect: [3] }), /TimeoutPolicy\.connect: /)
    assert.throws(untyped({ minRate: "5/10s" }), /TimeoutPolicy\.minRate: .*"5\/10s"/)
    assert.throws(() => TimeoutPolicy.merge(TimeoutPolicy.empty, { total: "later" } as never), /TimeoutPolicy\.total: /)
  })

  it.effect("a stream under a policy made from literals is guarded by them, and withPolicy takes literals too", () =>
    Effect.gen(function*() {
      const silent = Stream.concat(
        Stream.make(StreamEvent.Chunk({ value: "a", bytes: 1 })),
        Stream.never
      )
      const fiber = yield* Effect.forkChild(
        Stream.runDrain(silent.pipe(Guard.guard(TimeoutPolicy.make({ chunk: "300 millis" }))))
      )
      yield* TestClock.adjust(300)
      const exit = yield* Fiber.await(fiber)
      assert.isTrue(Exit.isFailure(exit) && Option.isSome(Cause.findErrorOption(exit.cause)))
      assert.strictEqual(
        Exit.isFailure(exit) ? Option.getOrUndefined(Cause.findErrorOption(exit.cause))?._tag : undefined,
        "ChunkTimeout"
      )
      const policy = yield* RequestProfile.policy.pipe(
        RequestProfile.withPolicy({ chunk: "45 seconds" }),
        Effect.provide(RequestProfile.layer("chat", TimeoutPolicy.empty))
      )
      assert.deepStrictEqual(Option.map(TimeoutPolicy.limit(policy, "chunk"), Duration.toMillis), Option.some(45_000))
    }))

  describe("minRate", () => {
    const decodeRate = Schema.decodeUnknownResult(TimeoutPolicy.Rate)
    const rateOf = (input: unknown) =>
      Result.map(decodeRate(input), (rate) => ({ events: rate.events, perMillis: Duration.toMillis(rate.per) }))

    it("Rate reads events per window as operators write it, and none", () => {
      assert.deepStrictEqual(rateOf("5/10s"), Result.succeed({ events: 5, perMillis: 10_000 }))
      assert.deepStrictEqual(rateOf(" 20 / 1m "), Result.succeed({ events: 20, perMillis: 60_000 }))
      assert.deepStrictEqual(rateOf("5 per 10 seconds"), Result.succeed({ events: 5, perMillis: 10_000 }))
      assert.deepStrictEqual(rateOf("1/1500ms"), Result.succeed({ events: 1, perMillis: 1_500 }))
      const none = decodeRate("none")
      assert.isTrue(Result.isSuccess(none) && none.success.events === 0)
    })

    it("Rate rejects what is not a rate, saying what a rate looks like", () => {
      for (const bad of ["5", "5/", "/10s", "0/10s", "5/0s", "5/none", "-1/10s", "1.5/10s", "fast", "", 5]) {
        const result = decodeRate(bad)
        assert.isTrue(Result.isFailure(result), `${JSON.stringify(bad)} should be rejected`)
      }
      const error = decodeRate("fast")
      assert.isTrue(Result.isFailure(error) && error.failure.message.includes("\"5/10s\""))
      const zero = decodeRate("0/10s")
      assert.isTrue(Result.isFailure(zero) && zero.failure.message.includes("at least 1 event"))
    })

    it.effect("decodeUnknown reads minRate and reasoning, and names the field of a bad rate", () =>
      Effect.gen(function*() {
        const policy = yield* TimeoutPolicy.decodeUnknown({ minRate: "5/10s", reasoning: "2m" })
        assert.deepStrictEqual(
          Option.map(TimeoutPolicy.minRate(policy), (rate) => [rate.events, Duration.toMillis(rate.per)]),
          Option.some([5, 10_000])
        )
        assert.deepStrictEqual(
          Option.map(TimeoutPolicy.limit(policy, "reasoning"), Duration.toMillis),
          Option.some(120_000)
        )
        const error = yield* Effect.flip(TimeoutPolicy.decodeUnknown({ minRate: "5 a second" }))
        assert.include(error.message, "minRate")
        assert.include(error.message, "\"5 a second\"")
      }))

    it("is off by default, merges like the durations, and none clears it", () => {
      assert.isTrue(Option.isNone(TimeoutPolicy.minRate(TimeoutPolicy.empty)))
      const base = TimeoutPolicy.unsafeMake({ chunk: "30 seconds", minRate: "5/10s" })
      assert.strictEqual(Option.getOrUndefined(TimeoutPolicy.minRate(base))?.events, 5)
      const kept = TimeoutPolicy.merge(base, { chunk: Duration.seconds(5) })
      assert.strictEqual(Option.getOrUndefined(TimeoutPolicy.minRate(kept))?.events, 5)
      const faster = TimeoutPolicy.merge(base, { minRate: TimeoutPolicy.rate(20, "10 seconds") })
      assert.strictEqual(Option.getOrUndefined(TimeoutPolicy.minRate(faster))?.events, 20)
      assert.isTrue(
        Option.isNone(TimeoutPolicy.minRate(TimeoutPolicy.merge(base, { minRate: TimeoutPolicy.noMinRate })))
      )
      assert.throws(() => TimeoutPolicy.unsafeMake({ minRate: "often" }), /TimeoutPolicy\.minRate/)
    })

    it("Rate encodes to what it decodes from", () => {
      for (const rate of [TimeoutPolicy.rate(5, "10 seconds"), TimeoutPolicy.noMinRate]) {
        const encoded = Schema.encodeSync(TimeoutPolicy.Rate)(rate)
        assert.deepStrictEqual(
          rateOf(encoded),
          Result.succeed({ events: rate.events, perMillis: Duration.toMillis(rate.per) })
        )
      }
    })

    it("allFields lists every field, the durations then minRate", () => {
      assert.deepStrictEqual(TimeoutPolicy.allFields, [...TimeoutPolicy.fields, "minRate"])
      assert.include(TimeoutPolicy.fields, "reasoning")
    })
  })
})
