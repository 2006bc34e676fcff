/**
 * A kernel `Timeline` driven on the Effect `Clock`: its sleeps are `Effect.sleep`s, so under
 * `TestClock` they pass when the test adjusts the clock; a reset is the caller's effect, a stall
 * never ends.
 */
import type * as Timeline from "@streamguard/kernel/simulator/Timeline"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"

/** What starts a timeline, given the time now in epoch milliseconds of the Clock. */
export type Start<A, R> = (options: Timeline.Options) => Timeline.Timeline<A, R>

const withClock = <A, E, R>(f: (now: () => number) => Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
  Effect.flatMap(Effect.clock, (clock) => f(() => clock.unsafeCurrentTimeMillis()))

/** The timeline's emits as a stream: each `Emit` one chunk, ending at its `End`. */
export const stream = <A, E>(start: Start<A, unknown>, onReset: Effect.Effect<never, E>): Stream.Stream<A, E> =>
  Stream.unwrap(withClock((now) => {
    const timeline = start({ now })
    const pull: Effect.Effect<Chunk.Chunk<A>, Option.Option<E>> = Effect.suspend(() => {
      const beat = timeline.next()
      switch (beat._tag) {
        case "Emit":
          return Effect.succeed(Chunk.unsafeFromArray(beat.values))
        case "Sleep":
          return Effect.zipRight(Effect.sleep(beat.millis), pull)
        case "Reset":
          return Effect.mapError(onReset, Option.some)
        case "Stall":
          return Effect.never
        case "End":
          return Effect.fail(Option.none())
      }
    })
    return Effect.succeed(Stream.repeatEffectChunkOption(pull))
  }))

/** The timeline played to its `End`'s value, its emits dropped. */
export const run = <R, E>(start: Start<unknown, R>, onReset: Effect.Effect<never, E>): Effect.Effect<R, E> =>
  withClock((now) => {
    const timeline = start({ now })
    const loop: Effect.Effect<R, E> = Effect.suspend(() => {
      for (;;) {
        const beat = timeline.next()
        switch (beat._tag) {
          case "Emit":
            continue
          case "Sleep":
            return Effect.zipRight(Effect.sleep(beat.millis), loop)
          case "Reset":
            return onReset
          case "Stall":
            return Effect.never
          case "End":
            return Effect.succeed(beat.value)
        }
      }
    })
    return loop
  })
