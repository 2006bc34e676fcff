/**
 * A kernel `Timeline` played on the Effect `Clock`, as one pull: its sleeps are `Effect.sleep`s
 * (under `TestClock` they pass when the test adjusts the clock), a reset is the caller's effect, a
 * stall never ends, and the end is `Cause.Done` with the timeline's value. The stream and the
 * collected answer are that one pull, read two ways.
 */
import type * as Timeline from "@streamguard/kernel/simulator/Timeline"
import type * as Arr from "effect/Array"
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Pull from "effect/Pull"
import * as Stream from "effect/Stream"

/** What starts a timeline, given the time now in epoch milliseconds of the Clock. */
export type Start<A, R> = (options: Timeline.Options) => Timeline.Timeline<A, R>

/** The timeline's next emit, after its sleeps; `Cause.Done` with its value at its end. */
const pullOf = <A, R, E>(
  timeline: Timeline.Timeline<A, R>,
  onReset: Effect.Effect<never, E>
): Effect.Effect<Arr.NonEmptyReadonlyArray<A>, E | Cause.Done<R>> => {
  const pull: Effect.Effect<Arr.NonEmptyReadonlyArray<A>, E | Cause.Done<R>> = Effect.suspend(() => {
    const beat = timeline.next()
    switch (beat._tag) {
      case "Emit":
        // The kernel emits one value or more.
        return Effect.succeed(beat.values as Arr.NonEmptyReadonlyArray<A>)
      case "Sleep":
        return Effect.andThen(Effect.sleep(beat.millis), pull)
      case "Reset":
        return onReset
      case "Stall":
        return Effect.never
      case "End":
        return Cause.done(beat.value)
    }
  })
  return pull
}

const started = <A, R, E>(start: Start<A, R>, onReset: Effect.Effect<never, E>) =>
  Effect.clockWith((clock) => Effect.sync(() => pullOf(start({ now: () => clock.currentTimeMillisUnsafe() }), onReset)))

/** The timeline's emits as a stream, ending at its `End`. */
export const stream = <A, E>(start: Start<A, void>, onReset: Effect.Effect<never, E>): Stream.Stream<A, E> =>
  Stream.fromPull(started(start, onReset))

/** The timeline played to its `End`'s value, its emits dropped. */
export const run = <R, E>(start: Start<unknown, R>, onReset: Effect.Effect<never, E>): Effect.Effect<R, E> =>
  Effect.flatMap(started(start, onReset), (pull) =>
    // `Pull.catchDone` cannot see `E` holds no `Done` of its own while `E` is generic.
    Pull.catchDone(Effect.forever(pull), (value) => Effect.succeed(value as R)) as Effect.Effect<R, E>)
