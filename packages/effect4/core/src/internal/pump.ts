/**
 * Reads an Effect stream of events into a feed (see `Guard.pump`).
 *
 * @internal
 */
import * as Cause from "effect/Cause"
import * as Channel from "effect/Channel"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Pull from "effect/Pull"
import type * as Scope from "effect/Scope"
import type * as Stream from "effect/Stream"
import type * as StreamEvent from "../StreamEvent.js"
import type { Feed } from "./feed.js"

/** @internal */
export const make = <A, E, R>(
  events: Stream.Stream<StreamEvent.StreamEvent<A>, E, R>,
  feed: Feed<A, E>
): Effect.Effect<void, never, R> =>
  Effect.scopedWith((scope) =>
    Effect.flatMap(Channel.toPullScoped(events.channel, scope), (pull) => {
      let wake: (() => void) | undefined
      let paused = false
      feed.control({
        // The guard interrupts this fiber to stop it; there is no connection of its own to abort.
        abort: () => {},
        resume: () => {
          paused = false
          const resume = wake
          wake = undefined
          resume?.()
        }
      })
      const caughtUp = Effect.callback<void>((resume) => {
        if (!paused) return resume(Effect.void)
        wake = () => resume(Effect.void)
      })
      const loop: Effect.Effect<void, never, R> = Effect.matchCauseEffect(pull, {
        onFailure: (cause) => {
          if (Pull.isDoneCause(cause)) return Effect.sync(() => feed.end())
          const failure = Cause.findErrorOption(cause)
          if (Option.isNone(failure)) return Effect.failCause(cause as Cause.Cause<never>)
          feed.fail(failure.value as E)
          return Effect.void
        },
        onSuccess: (batch) => {
          paused = !feed.events(batch)
          if (feed.closed()) return Effect.void
          return paused ? Effect.andThen(caughtUp, loop) : loop
        }
      })
      return loop
    })
  )

/** Opens the upstream in a scope that closes when the pump ends or is interrupted, then pumps it. */
export const opening = <A, E, R, R2>(
  open: Effect.Effect<Stream.Stream<StreamEvent.StreamEvent<A>, E, R>, E, R2>,
  feed: Feed<A, E>
): Effect.Effect<void, E, R | Exclude<R2, Scope.Scope>> =>
  Effect.scoped(Effect.flatMap(open, (stream) => {
    feed.opened()
    return make(stream, feed)
  }))
