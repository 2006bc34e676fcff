/**
 * The limits on a stream's pace rather than its silence: `minRate` (enough content in every
 * window once content began) and `reasoning` (how long content may be only reasoning before the
 * answer begins), under TestClock.
 */
import { assert, describe, it } from "@effect/vitest"
import { Guard, StreamEvent, StreamMetrics, StreamObserver, TimeoutError, TimeoutPolicy } from "@streamguard/core"
import { Duration, Effect, Exit, Fiber, Metric, Ref, Stream } from "effect"
import { TestClock } from "effect/testing"
import { chunk, closing, done, every, failureOf, keepalive, script, wait } from "./fixtures/Upstream.js"

const start = <A, E>(stream: Stream.Stream<A, E>) =>
  Effect.forkChild(Stream.runCollect(stream), { startImmediately: true })

const isRunning = <A, E>(fiber: Fiber.Fiber<A, E>) => Effect.sync(() => fiber.pollUnsafe() === undefined)

/** Asserts that the fiber is still running just before `atMillis` (from now) and has ended at it. */
const endsExactlyAt = <A, E>(fiber: Fiber.Fiber<A, E>, atMillis: number) =>
  Effect.gen(function*() {
    yield* TestClock.adjust(atMillis - 1)
    assert.isTrue(yield* isRunning(fiber), `still running at ${atMillis - 1} ms`)
    yield* TestClock.adjust(1)
    return yield* Fiber.await(fiber)
  })

const countOf = <A, E>(exit: Exit.Exit<ReadonlyArray<A>, E>): number | undefined =>
  Exit.isSuccess(exit) ? exit.value.length : undefined

describe("Guard: minRate", () => {
  const fivePer10s = TimeoutPolicy.make({ minRate: TimeoutPolicy.rate(5, "10 seconds") })

  it.effect("content slower than the rate ends with SlowStream at exactly the window's end, and closes", () =>
    Effect.gen(function*() {
      // The first content at 0 opens the window; four more by 4 s, then nothing: one short of five.
      const upstream = yield* closing(Stream.concat(script(chunk("a"), ...every("1 second", 4)), Stream.never))
      const fiber = yield* start(upstream.stream.pipe(Guard.guard(fivePer10s)))
      const error = failureOf(yield* endsExactlyAt(fiber, 10_000))
      assert.instanceOf(error, TimeoutError.SlowStream)
      assert.strictEqual(error.outcome, "slow_stream")
      assert.strictEqual(error.phase, "minRate")
      assert.strictEqual(error.limitMillis, 10_000)
      assert.strictEqual(error.minEvents, 5)
      assert.strictEqual(error.windowEvents, 4)
      assert.strictEqual(error.chunks, 5)
      assert.strictEqual(error.elapsedMillis, 10_000)
      assert.strictEqual(error.sinceLastEventMillis, 6_000)
      assert.strictEqual(yield* Ref.get(upstream.closes), 1)
    }))

  it.effect("a window with enough content starts the next, which is judged on its own", () =>
    Effect.gen(function*() {
      // Five in the first window (at 1..5 s), two in the second (at 11 and 12 s).
      const upstream = yield* closing(
        Stream.concat(
          script(chunk("a"), ...every("1 second", 5), wait("6 seconds"), chunk("x"), wait("1 second"), chunk("y")),
          Stream.never
        )
      )
      const fiber = yield* start(upstream.stream.pipe(Guard.guard(fivePer10s)))
      const error = failureOf(yield* endsExactlyAt(fiber, 20_000))
      assert.instanceOf(error, TimeoutError.SlowStream)
      assert.strictEqual(error.windowEvents, 2)
      assert.strictEqual(error.chunks, 8)
    }))

  it.effect("runs while the consumer is busy: the upstream's pace is judged at the window's end", () =>
    Effect.gen(function*() {
      const fiber = yield* Stream.concat(script(chunk("a")), Stream.never).pipe(
        Guard.guard(fivePer10s),
        Stream.tap(() => Effect.sleep("1 minute")),
        Stream.runDrain,
        Effect.forkChild({ startImmediately: true })
      )
      yield* TestClock.adjust("1 minute")
      const error = failureOf(yield* Fiber.await(fiber))
      assert.instanceOf(error, TimeoutError.SlowStream)
      assert.strictEqual(error.elapsedMillis, 10_000)
    }))

  it.effect("a fast stream never trips it", () =>
    Effect.gen(function*() {
      const fiber = yield* start(script(...every("1 second", 300), done).pipe(Guard.guard(fivePer10s)))
      yield* TestClock.adjust("5 minutes")
      assert.strictEqual(countOf(yield* Fiber.await(fiber)), 300)
    }))

  it.effect("it counts from the first content: a long silent start is firstChunk's business, not the rate's", () =>
    Effect.gen(function*() {
      const fiber = yield* start(
        script(wait("1 minute"), ...every("1 second", 30), done).pipe(Guard.guard(fivePer10s))
      )
      yield* TestClock.adjust("90 seconds")
      assert.strictEqual(countOf(yield* Fiber.await(fiber)), 30)
    }))

  it.effect("a window in which the guard paused the upstream for a slow consumer does not count", () =>
    Effect.gen(function*() {
      // 600 chunks at 1 s fill the read-ahead (512) while the consumer spends 95 s on the first
      // value: the upstream is paused, not slow, until the consumer takes them.
      const burst = Array.from({ length: 600 }, (_, i) => chunk(`b${i}`))
      const upstream = script(chunk("first"), wait("1 second"), burst, wait("1 second"), done)
      const fiber = yield* upstream.pipe(
        Guard.guard(fivePer10s),
        Stream.tap((value) => value === "first" ? Effect.sleep("95 seconds") : Effect.void),
        Stream.runCount,
        Effect.forkChild({ startImmediately: true })
      )
      yield* TestClock.adjust("2 minutes")
      const exit = yield* Fiber.await(fiber)
      assert.deepStrictEqual(exit, Exit.succeed(601))
    }))

  it.effect("ends nothing once the upstream said it is done", () =>
    Effect.gen(function*() {
      const fiber = yield* script(chunk("a"), done).pipe(
        Guard.guard(fivePer10s),
        Stream.tap(() => Effect.sleep("30 seconds")),
        Stream.runCount,
        Effect.forkChild({ startImmediately: true })
      )
      yield* TestClock.adjust("30 seconds")
      assert.deepStrictEqual(yield* Fiber.await(fiber), Exit.succeed(1))
    }))
})

describe("Guard: reasoning", () => {
  const think = (i: number) => chunk(`think${i}`)
  const isReasoning = (value: string) => value.startsWith("think")
  const policy = TimeoutPolicy.make({
    reasoning: Duration.minutes(2),
    chunk: Duration.seconds(30),
    progress: Duration.minutes(1)
  })

  it.effect("a reasoning-only stream fails at exactly the limit though reasoning keeps chunk and progress reset", () =>
    Effect.gen(function*() {
      const upstream = yield* closing(script(think(0), ...every("700 millis", 1_000, think)))
      const fiber = yield* start(upstream.stream.pipe(Guard.guard(policy, { isReasoning })))
      const error = failureOf(yield* endsExactlyAt(fiber, 120_000))
      assert.instanceOf(error, TimeoutError.ReasoningTimeout)
      assert.strictEqual(error.outcome, "reasoning_timeout")
      assert.strictEqual(error.phase, "reasoning")
      assert.strictEqual(error.limitMillis, 120_000)
      assert.strictEqual(error.elapsedMillis, 120_000)
      assert.strictEqual(error.lastEvent, "chunk")
      assert.strictEqual(yield* Ref.get(upstream.closes), 1)
    }))

  it.effect("counts from the first reasoning content, not from the start", () =>
    Effect.gen(function*() {
      const fiber = yield* start(
        script(keepalive, wait("20 seconds"), think(0), ...every("700 millis", 1_000, think)).pipe(
          Guard.guard(policy, { isReasoning })
        )
      )
      const error = failureOf(yield* endsExactlyAt(fiber, 140_000))
      assert.instanceOf(error, TimeoutError.ReasoningTimeout)
    }))

  it.effect("answer content before the limit ends it for good, even when reasoning comes back", () =>
    Effect.gen(function*() {
      const fiber = yield* start(
        script(
          think(0),
          ...every("1 second", 100, think),
          chunk("answer"),
          ...every("1 second", 200, think),
          done
        ).pipe(Guard.guard(policy, { isReasoning }))
      )
      yield* TestClock.adjust("5 minutes")
      assert.strictEqual(countOf(yield* Fiber.await(fiber)), 302)
    }))

  it.effect("without isReasoning no content is reasoning, so the limit never expires", () =>
    Effect.gen(function*() {
      const fiber = yield* start(script(think(0), ...every("1 second", 200, think), done).pipe(Guard.guard(policy)))
      yield* TestClock.adjust("4 minutes")
      assert.strictEqual(countOf(yield* Fiber.await(fiber)), 201)
    }))

  it.effect("the reasoning limit waits for the upstream like progress: a slow consumer's time is not counted", () =>
    Effect.gen(function*() {
      // Reasoning every 10 s for 100 s, then the answer; the consumer spends 60 s on the first value,
      // so it waited for the upstream 40 s of the 100, under the limit of 90.
      const fiber = yield* script(think(0), ...every("10 seconds", 10, think), chunk("answer"), done).pipe(
        Guard.guard(TimeoutPolicy.make({ reasoning: Duration.seconds(90) }), { isReasoning }),
        Stream.tap((value) => value === "think0" ? Effect.sleep("60 seconds") : Effect.void),
        Stream.runCount,
        Effect.forkChild({ startImmediately: true })
      )
      yield* TestClock.adjust("3 minutes")
      assert.deepStrictEqual(yield* Fiber.await(fiber), Exit.succeed(12))
    }))
})

describe("Guard: pings", () => {
  const lifecycle = StreamEvent.Keepalive({ value: "message_start", bytes: 20 })
  const isPing = (event: StreamEvent.StreamEvent<unknown>) => event._tag === "Keepalive" && event.value === undefined

  it.effect("with isPing the observer counts pings only, not lifecycle frames; every keepalive still resets chunk", () =>
    Effect.gen(function*() {
      const recording = yield* StreamObserver.makeRecording
      const fiber = yield* script(
        lifecycle,
        wait("20 seconds"),
        keepalive,
        wait("20 seconds"),
        [lifecycle, chunk("a")],
        wait("20 seconds"),
        done
      ).pipe(
        Guard.guard(TimeoutPolicy.make({ chunk: Duration.seconds(30) }), { isPing }),
        Stream.runCollect,
        Effect.provide(StreamObserver.layer(recording.observer)),
        Effect.forkChild({ startImmediately: true })
      )
      yield* TestClock.adjust("1 minute")
      assert.isTrue(Exit.isSuccess(yield* Fiber.await(fiber)))
      const calls = yield* recording.calls
      assert.deepStrictEqual(
        calls.flatMap((call) => (call._tag === "received" ? [call.received.keepalives] : [])),
        [0, 1, 0, 0]
      )
      const [ended] = yield* recording.ended
      assert.strictEqual(ended?.keepalives, 1)
    }))

  it.effect("streamguard_keepalives_received_total counts pings only when the stream has isPing", () =>
    Effect.gen(function*() {
      const labels = { suite: "pings" }
      yield* script(lifecycle, keepalive, lifecycle, keepalive, chunk("a"), done).pipe(
        Guard.guard(TimeoutPolicy.empty, { isPing, labels }),
        Stream.runDrain
      )
      const counted = yield* Metric.value(Metric.withAttributes(StreamMetrics.keepalivesReceived, { suite: "pings" }))
      assert.strictEqual(counted.count, 2)
    }).pipe(Effect.provide(StreamMetrics.layer)))

  it.effect("without isPing every keepalive counts, as before", () =>
    Effect.gen(function*() {
      const recording = yield* StreamObserver.makeRecording
      yield* script(lifecycle, keepalive, chunk("a"), done).pipe(
        Guard.guard(TimeoutPolicy.empty),
        Stream.runDrain,
        Effect.provide(StreamObserver.layer(recording.observer))
      )
      const [ended] = yield* recording.ended
      assert.strictEqual(ended?.keepalives, 2)
    }))

  it.effect("guardEvents still hands every keepalive to the consumer, lifecycle frames included", () =>
    Effect.gen(function*() {
      const events = yield* script(lifecycle, keepalive, chunk("a"), done).pipe(
        Guard.guardEvents(TimeoutPolicy.empty, { isPing }),
        Stream.runCollect
      )
      assert.deepStrictEqual(events.map(StreamEvent.type), [
        "keepalive",
        "keepalive",
        "chunk",
        "done"
      ])
    }))
})
