/**
 * Assertions about when things happen, under `TestClock`: run an effect, move the clock, and check
 * both how it ended and the exact moment it did. Each forks the effect, adjusts the clock by `at`
 * in one step and reads the moment the effect ended from the Clock, so an end that comes too early
 * is reported with its real moment, not just as a failure.
 *
 * They fail with `TimeTravelError` (no test framework needed): in `@effect/vitest`, a failing
 * `it.effect` shows its message.
 *
 * @since 0.1.0
 */
import type { TimeoutError } from "@streamguard/core/TimeoutError"
import { isTimeoutError } from "@streamguard/core/TimeoutError"
import * as Verdict from "@streamguard/kernel/TimeTravel"
import * as Cause from "effect/Cause"
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import { dual } from "effect/Function"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import * as TestClock from "effect/testing/TestClock"

/**
 * An expectation about an outcome or its moment did not hold.
 *
 * @since 0.1.0
 * @category errors
 */
export class TimeTravelError extends Schema.TaggedError<TimeTravelError>("@streamguard/testing/TimeTravelError")(
  "TimeTravelError",
  {
    expected: Schema.String,
    actual: Schema.String
  }
) {
  /** @since 0.1.0 */
  override get message(): string {
    return `expected ${this.expected}, but ${this.actual}`
  }
}

/**
 * When the effect must end, counted from when the helper starts it.
 *
 * @since 0.1.0
 * @category models
 */
export interface At {
  readonly at: Duration.Input
}

/**
 * How an effect ended, and when (milliseconds from its start).
 *
 * @since 0.1.0
 * @category models
 */
export interface Ended<A, E> {
  readonly exit: Exit.Exit<A, E>
  readonly atMillis: number
}

// A fiber may need a few turns (its setup, finalizers, scopes closing) before it sleeps or is done.
const settleTurns = 50

/** Lets `fiber` run until it has ended or a few turns went by; gives its exit when it has ended. */
const settle = <A, E>(fiber: Fiber.Fiber<A, E>): Effect.Effect<Exit.Exit<A, E> | undefined> =>
  Effect.suspend(function loop(turn = 0): Effect.Effect<Exit.Exit<A, E> | undefined> {
    const exit = fiber.pollUnsafe()
    return exit !== undefined || turn >= settleTurns
      ? Effect.succeed(exit)
      : Effect.andThen(Effect.yieldNow, () => loop(turn + 1))
  })

const describe = <A, E>(exit: Exit.Exit<A, E>): string =>
  Exit.match(exit, {
    onSuccess: () => "succeeded",
    onFailure: (cause) =>
      Option.match(Cause.findErrorOption(cause), {
        onSome: Verdict.failedWith,
        onNone: () => Cause.hasInterruptsOnly(cause) ? "was interrupted" : `died: ${Cause.pretty(cause)}`
      })
  })

/**
 * Forks `effect`, moves the `TestClock` forward by `run`, and gives how and when the effect ended,
 * or `None` when it is still running (it is then interrupted).
 *
 * @since 0.1.0
 * @category combinators
 */
export const runFor: {
  (
    run: Duration.Input
  ): <A, E, R>(effect: Effect.Effect<A, E, R>) => Effect.Effect<Option.Option<Ended<A, E>>, never, R>
  <A, E, R>(
    effect: Effect.Effect<A, E, R>,
    run: Duration.Input
  ): Effect.Effect<Option.Option<Ended<A, E>>, never, R>
} = dual(2, <A, E, R>(effect: Effect.Effect<A, E, R>, run: Duration.Input) => runForImpl(effect, run))

const runForImpl = <A, E, R>(
  effect: Effect.Effect<A, E, R>,
  run: Duration.Input
): Effect.Effect<Option.Option<Ended<A, E>>, never, R> =>
  Effect.gen(function*() {
    const startedAt = yield* Clock.currentTimeMillis
    let endedAt = -1
    // Started at once, so whatever it sleeps on first is on the clock before the clock moves:
    // Effect 4's `adjust` does not wait for a fiber just forked to reach its sleep.
    const fiber = yield* Effect.forkChild(
      Effect.onExit(effect, () => Effect.map(Clock.currentTimeMillis, (now) => (endedAt = now))),
      { startImmediately: true }
    )
    yield* settle(fiber)
    yield* TestClock.adjust(run)
    const exit = yield* settle(fiber)
    if (exit === undefined) {
      yield* Fiber.interrupt(fiber)
      return Option.none()
    }
    return Option.some({ exit, atMillis: endedAt - startedAt })
  })

const endsAt = <A, E, R, B>(
  effect: Effect.Effect<A, E, R>,
  at: Duration.Input,
  what: string,
  pick: (exit: Exit.Exit<A, E>) => Option.Option<B>
): Effect.Effect<B, TimeTravelError, R> => {
  const atMillis = Duration.toMillis(at)
  return Effect.flatMap(runForImpl(effect, at), (ended) => {
    const picked = Option.flatMap(ended, ({ exit }) => pick(exit))
    const mismatch = Verdict.verdict(
      what,
      atMillis,
      Option.getOrUndefined(Option.map(ended, ({ atMillis, exit }) => ({
        atMillis,
        how: describe(exit),
        matched: Option.isSome(picked)
      })))
    )
    return mismatch === undefined && Option.isSome(picked) ?
      Effect.succeed(picked.value) :
      Effect.fail(new TimeTravelError(mismatch!))
  })
}

/**
 * Runs `effect` under the `TestClock` and checks that it succeeds exactly `at` after it starts
 * (not a millisecond earlier, not later); gives its value.
 *
 * @since 0.1.0
 * @category assertions
 */
export const expectSuccess = <A, E, R>(
  effect: Effect.Effect<A, E, R>,
  options: At
): Effect.Effect<A, TimeTravelError, R> =>
  endsAt(effect, options.at, "succeeded", (exit) => Exit.isSuccess(exit) ? Option.some(exit.value) : Option.none())

/** The effect's failure, when it failed with one that `is` accepts. */
const failedWith = <B>(is: (error: unknown) => error is B) => <A, E>(exit: Exit.Exit<A, E>): Option.Option<B> =>
  Exit.isFailure(exit) ? Option.filter(Cause.findErrorOption(exit.cause) as Option.Option<unknown>, is) : Option.none()

/**
 * Runs `effect` under the `TestClock` and checks that it fails with the error tagged `tag`
 * exactly `at` after it starts; gives that error, typed.
 *
 * @since 0.1.0
 * @category assertions
 */
export const expectFailure = <A, E extends { readonly _tag: string }, R, Tag extends E["_tag"]>(
  effect: Effect.Effect<A, E, R>,
  tag: Tag,
  options: At
): Effect.Effect<Extract<E, { readonly _tag: Tag }>, TimeTravelError, R> =>
  endsAt(
    effect,
    options.at,
    `failed with ${tag}`,
    failedWith((error): error is Extract<E, { readonly _tag: Tag }> => (error as E)._tag === tag)
  )

/**
 * `expectFailure` for the timeouts (`ChunkTimeout`, `TotalTimeout`, `FirstChunkTimeout`, ...):
 * `expectTimeout(call, "ChunkTimeout", { at: "30 seconds" })` checks that the timeout fired
 * exactly 30 s after the call began and gives it, typed (its `limitMillis`, `chunks`, `lastEvent`).
 *
 * The effect's error type need not list the timeout: code over `effect/ai`'s provider clients
 * fails with StreamGuard's timeouts (`GuardedHttpClient` raises them under the client), though
 * `effect/http`'s `HttpClientError` type, and so `AiError`, has no room to say so.
 *
 * @since 0.1.0
 * @category assertions
 */
export const expectTimeout = <A, E, R, Tag extends TimeoutError["_tag"]>(
  effect: Effect.Effect<A, E, R>,
  tag: Tag,
  options: At
): Effect.Effect<Extract<TimeoutError, { readonly _tag: Tag }>, TimeTravelError, R> =>
  endsAt(
    effect,
    options.at,
    `failed with ${tag}`,
    failedWith((error): error is Extract<TimeoutError, { readonly _tag: Tag }> =>
      isTimeoutError(error) && error._tag === tag
    )
  )
