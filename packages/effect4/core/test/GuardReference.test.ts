/**
 * The lean guard agrees with `Guard.reference`, the contract written with `Stream.timeoutOrElse`
 * (chunk), a whole-stream timeout (total) and a scoped upstream, on random upstreams, consumers and
 * interruptions, under TestClock.
 *
 * The upstream is a socket: its events arrive at their times whether or not the consumer pulls,
 * and wait in a buffer until it does. Times are chosen so that nothing lands on a deadline, nor two
 * deadlines on one millisecond (events at 1 mod 10 ms, chunk limits at 5 mod 10, total limits at
 * 7 mod 10, interruptions at 3 mod 10): two things at the same virtual millisecond come in whichever
 * order the TestClock picks. Which limit wins a tie is the engine's rule, tested with the engine.
 *
 * The consumer takes each value as it comes. `Stream.timeoutOrElse` reads the upstream in a fiber of
 * its own, ahead of the consumer, so the reference times the upstream's silence whatever the
 * consumer does; the lean engine times only the consumer's waits (a consumer busy with what it was
 * handed is not a silent upstream), as the Effect 3 line's reference (`Stream.timeoutFail` on each
 * pull) does. The two agree whenever the consumer is waiting; the last test shows where they part.
 */
import { assert, describe, it } from "@effect/vitest"
import { Guard, StreamEvent, TimeoutPolicy } from "@streamguard/core"
import type { GuardError } from "@streamguard/core"
import { Arbitrary, Cause, Clock, Effect, Exit, Fiber, Option, Queue, Schema, Stream } from "effect"
import { TestClock } from "effect/testing"

type Kind = "chunk" | "keepalive" | "done" | "error" | "end"

interface Step {
  /** Milliseconds after the previous step (the first: after the stream opened). */
  readonly gap: number
  readonly kind: Kind
}

interface Case {
  readonly steps: ReadonlyArray<Step>
  /** Whether the upstream goes silent for good after its steps (else it ends, EOF). */
  readonly stall: boolean
  /** Milliseconds the consumer spends on each content value. */
  readonly delay: number
  readonly chunk: number | undefined
  readonly total: number | undefined
  /** When the consumer's fiber is interrupted from outside, if it is. */
  readonly interruptAt: number | undefined
}

interface Run {
  readonly content: ReadonlyArray<string>
  /** `done`, a failure's tag, `interrupted`, or `running` at the horizon. */
  readonly outcome: string
  readonly endedAt: number | undefined
  readonly closes: ReadonlyArray<number>
}

const horizon = 600_000

const event = (kind: Kind, i: number): StreamEvent.StreamEvent<string> => {
  switch (kind) {
    case "chunk":
      return StreamEvent.Chunk({ value: `c${i}`, bytes: 1 })
    case "keepalive":
      return StreamEvent.Keepalive({ bytes: 1 })
    case "done":
      return StreamEvent.Done({ bytes: 1 })
    case "error":
      return StreamEvent.ErrorSignal({ payload: {}, errorType: "overloaded", message: "busy", bytes: 1 })
    case "end":
      throw new Error("not an event")
  }
}

/**
 * The socket: a fiber of the upstream's scope writes each event into a buffer at its time; the
 * stream reads the buffer. Its scope closes (counted, with the time) whenever the stream ends.
 */
const socket = (steps: ReadonlyArray<Step>, stall: boolean, closes: Array<number>) =>
  Stream.unwrap(Effect.gen(function*() {
    const buffer = yield* Queue.unbounded<Option.Option<StreamEvent.StreamEvent<string>>>()
    yield* Effect.addFinalizer(() => Effect.map(Clock.currentTimeMillis, (now) => void closes.push(now)))
    const write = Effect.forEach(
      steps,
      (step, i) =>
        Effect.andThen(
          Effect.sleep(step.gap),
          Queue.offer(buffer, step.kind === "end" ? Option.none() : Option.some(event(step.kind, i)))
        ),
      { discard: true }
    )
    yield* Effect.forkScoped(stall ? write : Effect.andThen(write, Queue.offer(buffer, Option.none())))
    return Stream.fromQueue(buffer).pipe(
      Stream.takeWhile(Option.isSome),
      Stream.map((event) => event.value)
    )
  }))

type Engine = (
  policy: TimeoutPolicy.TimeoutPolicy
) => (upstream: Stream.Stream<StreamEvent.StreamEvent<string>>) => Stream.Stream<string, GuardError.GuardError>

const runCase = (engine: Engine, c: Case): Effect.Effect<Run> =>
  Effect.gen(function*() {
    const closes: Array<number> = []
    const content: Array<string> = []
    let endedAt: number | undefined
    const policy = TimeoutPolicy.unsafeMake({
      ...(c.chunk === undefined ? {} : { chunk: c.chunk }),
      ...(c.total === undefined ? {} : { total: c.total })
    })
    const consumer = socket(c.steps, c.stall, closes).pipe(
      engine(policy),
      Stream.runForEach((value) => Effect.andThen(Effect.sleep(c.delay), Effect.sync(() => content.push(value)))),
      Effect.onExit(() => Effect.map(Clock.currentTimeMillis, (now) => void (endedAt = now)))
    )
    const fiber = yield* Effect.forkChild(consumer)
    if (c.interruptAt !== undefined) {
      yield* Effect.forkChild(Effect.andThen(Effect.sleep(c.interruptAt), Fiber.interrupt(fiber)))
    }
    // TestClock.adjust does not wait for fibers forked just now to reach their first sleep: let the
    // consumer, the guard's transport and the socket's writer (each started by a fork of its own)
    // run up to their sleeps first.
    for (let round = 0; round < 4; round++) yield* Effect.yieldNow
    yield* TestClock.adjust(horizon)
    const exit = Option.fromUndefinedOr(fiber.pollUnsafe())
    const outcome = Option.match(exit, {
      onNone: () => "running",
      onSome: Exit.match({
        onSuccess: () => "done",
        onFailure: (cause) =>
          Cause.hasInterruptsOnly(cause)
            ? "interrupted"
            : Option.match(Cause.findErrorOption(cause), { onNone: () => "defect", onSome: (error) => error._tag })
      })
    })
    if (Option.isNone(exit)) yield* Fiber.interrupt(fiber)
    return { content, outcome, endedAt: Option.isNone(exit) ? undefined : endedAt, closes }
  }).pipe(Effect.provide(TestClock.layer()))

const lean: Engine = (policy) => Guard.guard(policy)
const reference: Engine = (policy) => Guard.reference(policy)

/** Whole numbers from `min` to `max`. */
const int = (min: number, max: number) =>
  Arbitrary.schema(Schema.Int.check(Schema.isBetween({ minimum: min, maximum: max })))

/** `n * 10 + offset` for `n` from `min` to `max`: times on a grid that keeps events off deadlines. */
const grid = (min: number, max: number, offset: number) => Arbitrary.map(int(min, max), (n) => n * 10 + offset)

/** Sometimes a value, sometimes none. */
const optional = <A>(value: Arbitrary.Arbitrary<A>) =>
  Arbitrary.map(
    Arbitrary.all([Arbitrary.schema(Schema.Boolean), value]),
    ([some, a]): A | undefined => some ? a : undefined
  )

const kinds: ReadonlyArray<Kind> = ["chunk", "chunk", "chunk", "keepalive", "keepalive", "done", "error", "end"]
const kind = Arbitrary.map(int(0, kinds.length - 1), (i) => kinds[i]!)

const cases: Arbitrary.Arbitrary<Case> = Arbitrary.map(
  Arbitrary.all({
    first: grid(0, 40, 1),
    rest: Arbitrary.array(Arbitrary.all({ gap: grid(0, 40, 0), kind }), { maxLength: 7 }),
    firstKind: kind,
    stall: Arbitrary.schema(Schema.Boolean),
    delay: grid(0, 0, 0),
    chunk: optional(grid(1, 40, 5)),
    total: optional(grid(1, 200, 7)),
    interruptAt: optional(grid(0, 300, 3))
  }),
  ({ first, firstKind, rest, ...c }) => {
    const steps: Array<Step> = [{ gap: first, kind: firstKind }, ...rest]
    // Nothing is read after the upstream's end.
    const end = steps.findIndex((step) => step.kind === "done" || step.kind === "error" || step.kind === "end")
    return { ...c, steps: end === -1 ? steps : steps.slice(0, end + 1) }
  }
)

describe("Guard: the lean engine agrees with Guard.reference", () => {
  it.effect.prop(
    "same outcome, same content, same end time, the upstream closed exactly once, on random schedules",
    [cases],
    ([c]) =>
      Effect.gen(function*() {
        const expected = yield* runCase(reference, c)
        const actual = yield* runCase(lean, c)
        assert.deepStrictEqual(
          { outcome: actual.outcome, content: actual.content, endedAt: actual.endedAt },
          { outcome: expected.outcome, content: expected.content, endedAt: expected.endedAt },
          JSON.stringify(c)
        )
        if (expected.outcome !== "running") {
          assert.strictEqual(expected.closes.length, 1, `reference closes ${JSON.stringify(c)}`)
          assert.strictEqual(actual.closes.length, 1, `lean closes ${JSON.stringify(c)}`)
          // The lean engine never holds the upstream longer: it closes it at the decision (a limit,
          // done, an error signal, EOF), where the reference waits until the consumer reads that far.
          assert.isAtMost(actual.closes[0]!, expected.closes[0]!, `close time ${JSON.stringify(c)}`)
          if (expected.outcome === "ChunkTimeout") {
            assert.deepStrictEqual(actual.closes, expected.closes, `close time ${JSON.stringify(c)}`)
          }
        }
      }),
    // 40 schedules, each run twice under TestClock: seconds of real time on a loaded machine, more
    // than the default per-test budget, and no sign of a hang.
    { arbitrary: { runs: 200 }, timeout: 30_000 }
  )

  it.effect("a slow consumer is not a silent upstream: 45 s per chunk of a ready upstream, under chunk 30 s", () =>
    Effect.gen(function*() {
      const c: Case = {
        steps: [...Array.from({ length: 4 }, () => ({ gap: 0, kind: "chunk" as const })), { gap: 0, kind: "done" }],
        stall: false,
        delay: 45_000,
        chunk: 30_005,
        total: undefined,
        interruptAt: undefined
      }
      // The upstream was never silent: both agree.
      const expected = yield* runCase(reference, c)
      const actual = yield* runCase(lean, c)
      assert.strictEqual(actual.outcome, "done")
      assert.deepStrictEqual(actual.content, ["c0", "c1", "c2", "c3"])
      assert.strictEqual(actual.endedAt, 180_000)
      assert.deepStrictEqual({ ...actual, closes: [] }, { ...expected, closes: [] })
      // The done signal came at once: the lean engine closed the connection then, not at the end.
      assert.deepStrictEqual(actual.closes, [0])
    }))

  it.effect("a consumer busy while the upstream is silent: the reference counts that silence, the lean engine does not", () =>
    Effect.gen(function*() {
      // One chunk at 1 ms, then silence; the consumer spends 10 ms on it; chunk limit 15 ms.
      const c: Case = {
        steps: [{ gap: 1, kind: "chunk" }],
        stall: true,
        delay: 10,
        chunk: 15,
        total: undefined,
        interruptAt: undefined
      }
      const expected = yield* runCase(reference, c)
      const actual = yield* runCase(lean, c)
      // Stream.timeoutOrElse: 15 ms of upstream silence from the chunk, while the consumer was busy.
      assert.deepStrictEqual({ outcome: expected.outcome, endedAt: expected.endedAt }, {
        outcome: "ChunkTimeout",
        endedAt: 16
      })
      // The lean engine: 15 ms from when the consumer asked again (at 11 ms).
      assert.deepStrictEqual({ outcome: actual.outcome, endedAt: actual.endedAt }, {
        outcome: "ChunkTimeout",
        endedAt: 26
      })
    }))
})
