/**
 * A guarded stream as an Effect `Stream`: one channel whose pull is its state's.
 *
 * @internal
 */
import * as Channel from "effect/Channel"
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import type { GuardError } from "../GuardError.js"
import * as StreamObserver from "../StreamObserver.js"
import type * as TimeoutPolicy from "../TimeoutPolicy.js"
import { forClock } from "./deadlines.js"
import type { Emit, Feed, Options, Setup } from "./feed.js"
import { GuardedStream } from "./guardedStream.js"

/**
 * A guarded stream of what `open` feeds. `setup` runs when the stream is run, with the Clock and
 * the observer; `open` then runs in a fiber of its own: it may take its time (a pool wait, a
 * connection, retries) and is cut short by any decision. A socket transport returns once the
 * response started and feeds from its callbacks; a pump keeps running until its source ends.
 *
 * Built as one `Channel.fromTransform` (the cheapest construction measured on Effect 4): the
 * transform makes the state, hangs its close on the channel's own scope (which every end closes:
 * done, failure, interruption, a consumer that stops early) and returns the state's pull. No
 * `Stream.unwrap`, no queue, no fiber for the consumer: an idle stream is its state and the
 * consumer's parked pull.
 *
 * @internal
 */
export const make = <A, B, E, R, R2>(
  setup: Effect.Effect<Setup<A, E, R>, never, R2>,
  emit: Emit
): Stream.Stream<B, E | GuardError, R | R2> =>
  Stream.fromChannel(
    Channel.fromTransform((_upstream, scope) =>
      Effect.flatMap(setup, ({ open, options, policy }) =>
        Effect.withFiber((fiber) => {
          const observer = options?.observer ?? fiber.getRef(StreamObserver.StreamObserver)
          const state = new GuardedStream<A, B, E>(
            forClock(fiber.getRef(Clock.Clock)),
            observer,
            policy,
            emit,
            options
          )
          const unlisten = state.abortOn(options?.signal)
          const close = Scope.addFinalizerExit(scope, (exit) => {
            unlisten?.()
            return state.close(exit)
          })
          return Effect.as(Effect.andThen(close, state.start(open)), state.next)
        }))
    )
  )

/**
 * A setup as `Guard.fromFeed` takes it: an effect that gives it, or its transport with the policy
 * and options beside.
 *
 * @internal
 */
export const setupOf = <A, E, R>(
  open: ((feed: Feed<A, E>) => Effect.Effect<void, E, R>) | Effect.Effect<Setup<A, E, R>, never, any>,
  policy: TimeoutPolicy.TimeoutPolicy | undefined,
  options: Options | undefined
): Effect.Effect<Setup<A, E, R>, never, any> =>
  Effect.isEffect(open) ? open : Effect.succeed({ open, policy: policy!, options })
