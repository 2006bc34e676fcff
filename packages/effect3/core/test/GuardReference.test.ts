/**
 * The lean guard agrees with `Guard.reference`, the contract written with `Stream.timeoutFail`
 * (chunk), a whole-stream timeout (total) and a scoped upstream, on random upstreams, consumers and
 * interruptions, under TestClock.
 *
 * The upstream is a socket: its events arrive at their times whether or not the consumer pulls,
 * and wait in a buffer until it does. Times are chosen so that no event lands on a deadline (events
 * at 1 mod 10 ms, limits at 5 mod 10, consumer delays at 0 mod 10, interruptions at 3 mod 10): an
 * event and a deadline at the same virtual millisecond come in whichever order the TestClock picks.
 */
import { assert, describe, it } from "@effect/vitest"
import { Guard, StreamEvent, TimeoutPolicy } from "@streamguard/core-effect3"
import type { GuardError } from "@streamguard/core-effect3"
import { Cause, Effect, Exit, FastCheck, Fiber, Option, Queue, Stream, TestClock, TestContext } from "effect"

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
  Stream.unwrapScoped(Effect.gen(function*() {
    const buffer = yield* Queue.unbounded<Option.Option<StreamEvent.StreamEvent<string>>>()
    yield* Effect.addFinalizer(() => Effect.map(TestClock.currentTimeMillis, (now) => void closes.push(now)))
    const write = Effect.forEach(
      steps,
      (step, i) =>
        Effect.zipRight(
          Effect.sleep(step.gap),
          Queue.offer(buffer, step.kind === "end" ? Option.none() : Option.some(event(step.kind, i)))
        ),
      { discard: true }
    )
    yield* Effect.forkScoped(stall ? write : Effect.zipRight(write, Queue.offer(buffer, Option.none())))
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
      Stream.runForEach((value) => Effect.zipRight(Effect.sleep(c.delay), Effect.sync(() => content.push(value)))),
      Effect.onExit(() => Effect.map(TestClock.currentTimeMillis, (now) => void (endedAt = now)))
    )
    const fiber = yield* Effect.fork(consumer)
    if (c.interruptAt !== undefined) {
      yield* Effect.fork(Effect.zipRight(Effect.sleep(c.interruptAt), Fiber.interrupt(fiber)))
    }
    yield* TestClock.adjust(horizon)
    const exit = yield* Fiber.poll(fiber)
    const outcome = Option.match(exit, {
      onNone: () => "running",
      onSome: Exit.match({
        onSuccess: () => "done",
        onFailure: (cause) =>
          Cause.isInterruptedOnly(cause)
            ? "interrupted"
            : Option.match(Cause.failureOption(cause), { onNone: () => "defect", onSome: (error) => error._tag })
      })
    })
    if (Option.isNone(exit)) yield* Fiber.interrupt(fiber)
    return { content, outcome, endedAt: Option.isNone(exit) ? undefined : endedAt, closes }
  }).pipe(Effect.provide(TestContext.TestContext))

const lean: Engine = (policy) => Guard.guard(policy)
const reference: Engine = (policy) => Guard.reference(policy)

const kind = FastCheck.constantFrom<Kind>("chunk", "chunk", "chunk", "keepalive", "keepalive", "done", "error", "end")

const cases: FastCheck.Arbitrary<Case> = FastCheck.record({
  first: FastCheck.integer({ min: 0, max: 40 }).map((n) => n * 10 + 1),
  rest: FastCheck.array(
    FastCheck.record({ gap: FastCheck.integer({ min: 0, max: 40 }).map((n) => n * 10), kind }),
    { maxLength: 7 }
  ),
  firstKind: kind,
  stall: FastCheck.boolean(),
  delay: FastCheck.integer({ min: 0, max: 30 }).map((n) => n * 10),
  chunk: FastCheck.option(FastCheck.integer({ min: 1, max: 40 }).map((n) => n * 10 + 5), { nil: undefined }),
  total: FastCheck.option(FastCheck.integer({ min: 1, max: 200 }).map((n) => n * 10 + 5), { nil: undefined }),
  interruptAt: FastCheck.option(FastCheck.integer({ min: 0, max: 300 }).map((n) => n * 10 + 3), { nil: undefined })
}).map(({ first, firstKind, rest, ...c }) => {
  const steps: Array<Step> = [{ gap: first, kind: firstKind }, ...rest]
  // Nothing is read after the upstream's end.
  const end = steps.findIndex((step) => step.kind === "done" || step.kind === "error" || step.kind === "end")
  return { ...c, steps: end === -1 ? steps : steps.slice(0, end + 1) }
})

describe("Guard: the lean engine agrees with Guard.reference", () => {
  it.effect.prop(
    "same outcome, same content, same end time, the upstream closed exactly once, on random schedules",
    [cases],
    ([c]) =>
      Effect.gen(function*() {
        const expected = yield* runCase(reference, c)
        const actual = yield* runCase(lean, c)
        // A slow consumer that `total` ends may have read more from the lean engine: it hands over
        // everything buffered in one pull, the reference one event at a time, so a consumer busy
        // past `total` reads the rest of a batch taken before it from the lean one only, each read
        // taking its delay, and meets the end at its next pull.
        const extra = actual.content.length - expected.content.length
        const batched = expected.outcome === "TotalTimeout" && c.delay > 0 && extra > 0
        assert.deepStrictEqual(
          {
            outcome: actual.outcome,
            content: batched ? actual.content.slice(0, expected.content.length) : actual.content,
            endedAt: batched ? actual.endedAt! - extra * c.delay : actual.endedAt
          },
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
    { fastCheck: { numRuns: 40 }, timeout: 30_000 }
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
      // The reference times each pull, not the consumer's own work, and agrees.
      const expected = yield* runCase(reference, c)
      const actual = yield* runCase(lean, c)
      assert.strictEqual(actual.outcome, "done")
      assert.deepStrictEqual(actual.content, ["c0", "c1", "c2", "c3"])
      assert.strictEqual(actual.endedAt, 180_000)
      assert.deepStrictEqual({ ...actual, closes: [] }, { ...expected, closes: [] })
      // The done signal came at once: the lean engine closed the connection then, not at the end.
      assert.deepStrictEqual(actual.closes, [0])
    }))
})
