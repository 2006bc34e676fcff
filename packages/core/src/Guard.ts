/**
 * The guard: turns a stream of upstream events into a stream of content that ends in exactly one
 * known way, within the budgets of a `TimeoutPolicy`.
 *
 * @since 0.1.0
 */
import type * as Cause from "effect/Cause"
import * as Channel from "effect/Channel"
import * as Chunk from "effect/Chunk"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as ExecutionStrategy from "effect/ExecutionStrategy"
import * as Exit from "effect/Exit"
import { dual } from "effect/Function"
import * as Option from "effect/Option"
import * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import type { GuardError } from "./GuardError.js"
import { UnexpectedEnd, UpstreamErrorSignal } from "./GuardError.js"
import { GuardState } from "./internal/guardState.js"
import type * as StreamEvent from "./StreamEvent.js"
import * as StreamObserver from "./StreamObserver.js"
import * as TimeoutPolicy from "./TimeoutPolicy.js"
import { ChunkTimeout, FirstChunkTimeout, ProgressTimeout, TotalTimeout } from "./ZombieRequestError.js"

/**
 * @since 0.1.0
 * @category models
 */
export interface GuardOptions {
  /** Low-cardinality labels for the observer (profile, dialect, upstream). */
  readonly labels?: Readonly<Record<string, string>> | undefined
  /**
   * When the request began, in `Clock` millis. Defaults to when the stream starts. A client passes
   * the moment it sent the request, so `total` and the elapsed times in errors count from there.
   */
  readonly startedAt?: number | undefined
}

let nextStreamId = 0

/**
 * Guards a stream of upstream events with a timeout policy.
 *
 * - Until the first content `Chunk`, `firstChunk` (when set) is the only limit besides `total`: a
 *   long silent start is allowed up to it. When it is not set, `chunk` and `progress` apply from
 *   the start.
 * - `chunk` bounds every gap between upstream events, keepalives included (`Stream.timeoutFail`
 *   on every pull of the raw events): `ChunkTimeout`.
 * - `progress` bounds every gap between content chunks; keepalives do not reset it:
 *   `ProgressTimeout`.
 * - `total` bounds the whole stream from `startedAt`, and fires on time even when nothing at all
 *   arrives (`Stream.interruptWhen` on a failing sleep): `TotalTimeout`.
 * - `Done` ends the stream successfully and stops pulling; `ErrorSignal` fails it with
 *   `UpstreamErrorSignal`; an upstream end without `Done` fails it with `UnexpectedEnd`.
 *
 * The upstream runs in a scope of its own, closed (its finalizers run: the HTTP connection is
 * destroyed) before the end or the failure reaches the consumer. The `StreamObserver` in context
 * hears every step and, exactly once, the outcome.
 *
 * @since 0.1.0
 * @category combinators
 */
export const guard: {
  (
    policy: TimeoutPolicy.TimeoutPolicy,
    options?: GuardOptions
  ): <A, E, R>(self: Stream.Stream<StreamEvent.StreamEvent<A>, E, R>) => Stream.Stream<A, E | GuardError, R>
  <A, E, R>(
    self: Stream.Stream<StreamEvent.StreamEvent<A>, E, R>,
    policy: TimeoutPolicy.TimeoutPolicy,
    options?: GuardOptions
  ): Stream.Stream<A, E | GuardError, R>
} = dual(
  (args) => Stream.StreamTypeId in args[0],
  <A, E, R>(
    self: Stream.Stream<StreamEvent.StreamEvent<A>, E, R>,
    policy: TimeoutPolicy.TimeoutPolicy,
    options?: GuardOptions
  ): Stream.Stream<A, E | GuardError, R> =>
    Stream.unwrapScoped(Effect.gen(function*() {
      const clock = yield* Effect.clock
      const observer = yield* StreamObserver.StreamObserver
      const outer = yield* Effect.scope
      const state = new GuardState(clock, options?.startedAt ?? clock.unsafeCurrentTimeMillis())
      const info: StreamObserver.StreamInfo = {
        id: ++nextStreamId,
        labels: options?.labels ?? {},
        startedAt: state.startedAt
      }

      yield* observer.started(info)
      // Added before the upstream's scope is forked, so it runs after that scope closed.
      yield* Scope.addFinalizerExit(outer, (exit) => observer.ended(info, state.ended(exit)))
      const upstream = yield* Scope.fork(outer, ExecutionStrategy.sequential)
      const pull = yield* Scope.extend(Stream.toPull(self), upstream)

      const tracked = Effect.flatMap(pull, (events) => {
        const seen = state.track(events)
        if (seen === undefined) return Effect.succeed(events)
        const told = observer.received(info, seen.received)
        return Effect.as(
          seen.first ? Effect.zipRight(told, observer.firstChunk(info, state.now() - state.startedAt)) : told,
          events
        )
      })
      const onEof = Effect.catchAll(tracked, (error) => {
        if (Option.isNone(error)) state.eof = true
        return Effect.fail(error)
      })

      const events = Option.match(TimeoutPolicy.limit(policy, "firstChunk"), {
        onNone: () => steady(Stream.repeatEffectChunkOption(onEof), policy, state),
        onSome: (limit) =>
          Stream.concat(
            Stream.flattenChunks(
              Stream.fromEffectOption(Effect.timeoutFail(untilContent<A, E | FirstChunkTimeout, R>(onEof), {
                duration: limit,
                onTimeout: () => Option.some<E | FirstChunkTimeout>(new FirstChunkTimeout(state.details(limit)))
              }))
            ),
            Stream.suspend(() =>
              state.eof ? Stream.empty : steady(Stream.repeatEffectChunkOption(onEof), policy, state)
            )
          )
      })

      const content = Stream.pipeThroughChannel(events, untilDone<A, Stream.Stream.Error<typeof events>>(state))
      const bounded = Option.match(TimeoutPolicy.limit(policy, "total"), {
        onNone: () => content,
        onSome: (limit) =>
          Stream.interruptWhen(
            content,
            Effect.flatMap(
              Effect.sleep(totalRemaining(limit, state)),
              () => Effect.fail(new TotalTimeout(state.details(limit)))
            )
          )
      })

      return bounded.pipe(
        Stream.tapErrorCause((cause) => {
          state.decideFromCause(cause)
          return Scope.close(upstream, Exit.failCause(cause))
        }),
        Stream.onEnd(Effect.suspend(() => {
          state.decide("done")
          return Scope.close(upstream, Exit.void)
        }))
      )
    }))
)

const totalRemaining = (limit: Duration.Duration, state: GuardState): number =>
  Math.max(0, state.startedAt + Duration.toMillis(limit) - state.now())

/**
 * Pulls until a batch holds anything but keepalives (content, done, error) or the upstream ends.
 * Keepalives before the first chunk are counted by `track` and dropped here.
 */
const untilContent = <A, E, R>(
  pull: Effect.Effect<Chunk.Chunk<StreamEvent.StreamEvent<A>>, Option.Option<E>, R>
): Effect.Effect<Chunk.Chunk<StreamEvent.StreamEvent<A>>, Option.Option<E>, R> => {
  const loop: Effect.Effect<Chunk.Chunk<StreamEvent.StreamEvent<A>>, Option.Option<E>, R> = Effect.flatMap(
    pull,
    (events) => Chunk.some(events, isNotKeepalive) ? Effect.succeed(events) : loop
  )
  return loop
}

/** The steady phase: `chunk` on every pull of the raw events, then `progress` on content. */
const steady = <A, E, R>(
  source: Stream.Stream<StreamEvent.StreamEvent<A>, E, R>,
  policy: TimeoutPolicy.TimeoutPolicy,
  state: GuardState
): Stream.Stream<StreamEvent.StreamEvent<A>, E | ChunkTimeout | ProgressTimeout, R> => {
  const live: Stream.Stream<StreamEvent.StreamEvent<A>, E | ChunkTimeout, R> = Option.match(
    TimeoutPolicy.limit(policy, "chunk"),
    {
      onNone: () => source,
      onSome: (limit) => Stream.timeoutFail(source, () => new ChunkTimeout(state.details(limit)), limit)
    }
  )
  return Option.match(TimeoutPolicy.limit(policy, "progress"), {
    onNone: (): Stream.Stream<StreamEvent.StreamEvent<A>, E | ChunkTimeout | ProgressTimeout, R> => live,
    onSome: (limit) =>
      Stream.timeoutFail(
        Stream.pipeThroughChannel(live, withoutKeepalives<A, E | ChunkTimeout>()),
        () => new ProgressTimeout(state.details(limit)),
        limit
      )
  })
}

const isNotKeepalive = <A>(event: StreamEvent.StreamEvent<A>): boolean => event._tag !== "Keepalive"

/**
 * Drops keepalives and never emits an empty batch. Written by hand because `Stream.filter` emits
 * empty chunks, and an empty chunk completes a pull: it would reset the `progress` timer
 * downstream on every keepalive, which is exactly what `progress` must not do.
 */
const withoutKeepalives = <A, E>(): Channel.Channel<
  Chunk.Chunk<StreamEvent.StreamEvent<A>>,
  Chunk.Chunk<StreamEvent.StreamEvent<A>>,
  E,
  E,
  unknown,
  unknown
> => {
  const loop: Channel.Channel<
    Chunk.Chunk<StreamEvent.StreamEvent<A>>,
    Chunk.Chunk<StreamEvent.StreamEvent<A>>,
    E,
    E,
    unknown,
    unknown
  > = Channel.readWithCause({
    onInput: (events: Chunk.Chunk<StreamEvent.StreamEvent<A>>) => {
      const kept = Chunk.filter(events, isNotKeepalive)
      return Chunk.isEmpty(kept) ? loop : Channel.zipRight(Channel.write(kept), loop)
    },
    onFailure: Channel.failCause,
    onDone: () => Channel.void
  })
  return loop
}

/**
 * Emits the content of `Chunk`s; ends at `Done` (pulling nothing more), fails at `ErrorSignal`,
 * and fails with `UnexpectedEnd` when the upstream ends without `Done`.
 */
type Pipe<A, E> = Channel.Channel<
  Chunk.Chunk<A>,
  Chunk.Chunk<StreamEvent.StreamEvent<A>>,
  E | GuardError,
  E,
  unknown,
  unknown
>

const untilDone = <A, E>(state: GuardState): Pipe<A, E> => {
  const loop: Pipe<A, E> = Channel.readWithCause({
    onInput: (events: Chunk.Chunk<StreamEvent.StreamEvent<A>>): Pipe<A, E> => {
      const out: Array<A> = []
      for (const event of events) {
        switch (event._tag) {
          case "Chunk": {
            out.push(event.value)
            break
          }
          case "Keepalive": {
            break
          }
          case "Done": {
            return emitThen<A, E>(out, Channel.void)
          }
          case "ErrorSignal": {
            return emitThen<A, E>(
              out,
              Channel.fail(
                new UpstreamErrorSignal({
                  errorType: event.errorType,
                  providerMessage: event.message,
                  payload: event.payload,
                  elapsedMillis: state.now() - state.startedAt,
                  chunks: state.chunks
                })
              )
            )
          }
        }
      }
      return emitThen(out, loop)
    },
    onFailure: (cause: Cause.Cause<E>): Pipe<A, E> => Channel.failCause(cause),
    onDone: (): Pipe<A, E> =>
      Channel.fail(new UnexpectedEnd({ elapsedMillis: state.now() - state.startedAt, chunks: state.chunks }))
  })
  return loop
}

const emitThen = <A, E>(out: Array<A>, next: Pipe<A, E>): Pipe<A, E> =>
  out.length === 0 ? next : Channel.zipRight(Channel.write(Chunk.unsafeFromArray(out)), next)
