/**
 * A guarded stream as an Effect `Stream`: one channel that writes what each pull of its state
 * hands over.
 *
 * @internal
 */
import * as Channel from "effect/Channel"
import type * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import type { GuardError } from "../GuardError.js"
import * as StreamObserver from "../StreamObserver.js"
import type * as TimeoutPolicy from "../TimeoutPolicy.js"
import { forClock } from "./deadlines.js"
import type { Emit, Feed, Options, Setup } from "./feed.js"
import type { EndMark } from "./guardedStream.js"
import { endMark, GuardedStream } from "./guardedStream.js"

/**
 * A guarded stream of what `open` feeds. `setup` runs at the first pull, with the Clock and the
 * observer; `open` then runs in a fiber of its own: it may take its time (a pool wait, a
 * connection, retries) and is cut short by any decision. A socket transport returns once the
 * response started and feeds from its callbacks; a pump keeps running until its source ends.
 *
 * Built as one channel that writes what each pull hands over: no `Stream.unwrap`, no per-pull
 * `Option` failures, so an idle stream is its state and the consumer's parked pull.
 *
 * @internal
 */
export const make = <A, B, E, R, R2>(
  setup: Effect.Effect<Setup<A, E, R>, never, R2>,
  emit: Emit
): Stream.Stream<B, E | GuardError, R | R2> =>
  Stream.fromChannel(Channel.suspend(() => {
    let state: GuardedStream<A, B, E> | undefined
    let unlisten: (() => void) | undefined
    const first: Effect.Effect<Chunk.Chunk<B> | EndMark, E | GuardError, R | R2> = Effect.flatMap(
      Effect.zip(Effect.zip(Effect.clock, StreamObserver.StreamObserver), setup),
      ([[clock, observer], { open, options, policy }]) => {
        const made = new GuardedStream<A, B, E>(forClock(clock), options?.observer ?? observer, policy, emit, options)
        state = made
        unlisten = made.abortOn(options?.signal)
        return Effect.zipRight(made.start(open), made.next)
      }
    )
    const onValue = (
      value: Chunk.Chunk<B> | EndMark
    ): Channel.Channel<Chunk.Chunk<B>, unknown, E | GuardError, unknown, unknown, unknown, R | R2> =>
      value === endMark ? Channel.void : Channel.zipRight(Channel.write(value), loop)
    const loop: Channel.Channel<Chunk.Chunk<B>, unknown, E | GuardError, unknown, unknown, unknown, R | R2> = Channel
      .suspend(() => Channel.flatMap(Channel.fromEffect(state === undefined ? first : state.next), onValue))
    return Channel.ensuringWith(loop, (exit) => {
      unlisten?.()
      return state === undefined ? Effect.void : state.close(exit)
    })
  }))

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
