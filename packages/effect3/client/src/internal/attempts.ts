/**
 * Opening a call: a connection slot when the client limits them (the `pool` phase), then
 * attempts, retried as the call's schedule says: only before anything was received, at least the
 * upstream's `retry-after` apart, and never one that would end past the call's budget (the
 * kernel's `Retries` rules, run on an Effect `Schedule`). Each retry is told to the observer.
 *
 * @internal
 */
import type * as Guard from "@streamguard/core-effect3/Guard"
import * as Retries from "@streamguard/kernel/client/Retries"
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Option from "effect/Option"
import * as Schedule from "effect/Schedule"
import type { AttemptError, StreamError } from "../ClientError.js"
import * as Slots from "./slots.js"

/** @internal */
export interface Call {
  /** The retry schedule; none: one attempt. */
  readonly retry: Schedule.Schedule<unknown, AttemptError> | undefined
  /** The budget no retry may end past: `total` for a stream, `request` for a batch. */
  readonly budget: Option.Option<Duration.Duration>
  /** The connection slots of the request's origin, when the client limits them. */
  readonly slots: Slots.Slots | undefined
}

/** One attempt holding a connection slot: given back when the attempt fails, else when the stream closes. */
const withSlot = <A, R>(
  call: Call,
  feed: Guard.Feed<A, StreamError>,
  attempt: Effect.Effect<R, AttemptError>
): Effect.Effect<R, AttemptError> => {
  const slots = call.slots
  if (slots === undefined) return attempt
  return Effect.suspend(() => {
    feed.phase("pool")
    return Effect.flatMap(
      Slots.take(slots),
      (release) =>
        Effect.onExit(attempt, (exit) => Effect.sync(() => Exit.isSuccess(exit) ? feed.onClose(release) : release()))
    )
  })
}

/**
 * Runs `attempt` under the call's slot and retry rules.
 *
 * @internal
 */
export const run = <A, R>(
  call: Call,
  feed: Guard.Feed<A, StreamError>,
  attempt: Effect.Effect<R, AttemptError>
): Effect.Effect<R, AttemptError> => {
  const once = withSlot(call, feed, attempt)
  if (call.retry === undefined) return once
  const schedule = call.retry.pipe(
    // Checked first, so a failure that is not retried is never told as a retry.
    Schedule.whileInput((error: AttemptError) => Retries.isRetried(error)),
    Schedule.intersect(Schedule.identity<AttemptError>()),
    Schedule.modifyDelay(([, error], delay) => Duration.millis(Retries.delayMillis(Duration.toMillis(delay), error))),
    Schedule.delays,
    // The attempts so far, as the schedule counts them: 0 after the first failure.
    Schedule.intersect(Schedule.count),
    Schedule.checkEffect((error: AttemptError, [delay, failed]) =>
      Effect.flatMap(Clock.currentTimeMillis, (now) => {
        const delayMillis = Duration.toMillis(delay)
        const budget = Option.match(call.budget, { onNone: () => Infinity, onSome: Duration.toMillis })
        const fits = Retries.fits(now, delayMillis, feed.startedAt, budget)
        return fits ? Effect.as(feed.retrying(failed + 1, error.outcome, delayMillis), true) : Effect.succeed(false)
      })
    )
  )
  return Effect.retry(once, schedule)
}
