/**
 * Opening a call: a connection slot when the client limits them (the `pool` phase), then
 * attempts, retried as the call's schedule says: only before anything was received, at least the
 * upstream's `retry-after` apart, and never one that would end past the call's budget (the
 * kernel's `Retries` rules, run as a step over the call's `Schedule`). Each retry is told to the
 * observer.
 *
 * @internal
 */
import type * as Guard from "@streamguard/core/Guard"
import * as Retries from "@streamguard/kernel/client/Retries"
import * as Cause from "effect/Cause"
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
 * The call's schedule under the kernel's rules: a failure that is not retried ends it before the
 * schedule is asked (so it is never told as a retry), each delay is at least the upstream's
 * `retry-after`, and a retry that would end past the budget ends it.
 */
const retries = <A>(
  call: Call,
  retry: Schedule.Schedule<unknown, AttemptError>,
  feed: Guard.Feed<A, StreamError>
): Schedule.Schedule<unknown, AttemptError> =>
  Schedule.fromStep(Effect.map(Schedule.toStep(retry), (step) => {
    const budget = Option.match(call.budget, { onNone: () => Infinity, onSome: Duration.toMillis })
    let failed = 0
    return (now: number, error: AttemptError) => {
      if (!Retries.isRetried(error)) return Cause.done(undefined)
      return Effect.flatMap(step(now, error), ([output, delay]) => {
        const delayMillis = Retries.delayMillis(Duration.toMillis(delay), error)
        if (!Retries.fits(now, delayMillis, feed.startedAt, budget)) return Cause.done(output)
        failed++
        return Effect.as(
          feed.retrying(failed, error.outcome, delayMillis),
          [output, Duration.millis(delayMillis)] as [unknown, Duration.Duration]
        )
      })
    }
  }))

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
  return Effect.retry(once, retries(call, call.retry, feed))
}
