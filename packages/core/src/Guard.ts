/**
 * The guard: turns a stream of upstream events into a stream that ends in exactly one known way,
 * within the budgets of a `TimeoutPolicy`.
 *
 * @since 0.1.0
 */
import type * as Cause from "effect/Cause"
import * as Channel from "effect/Channel"
import * as Chunk from "effect/Chunk"
import * as Deferred from "effect/Deferred"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as ExecutionStrategy from "effect/ExecutionStrategy"
import * as Exit from "effect/Exit"
import { dual } from "effect/Function"
import * as Option from "effect/Option"
import * as Predicate from "effect/Predicate"
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
   * the moment it sent the request, so `firstChunk`, `progress`, `total` and the elapsed times in
   * errors count from there.
   */
  readonly startedAt?: number | undefined
}

/**
 * Guards a stream of upstream events with a timeout policy and yields the content.
 *
 * - Until the first content `Chunk`, when `firstChunk` is set it is the only limit besides
 *   `total`: a long silent start ("thinking") is allowed up to it. When it is not set, `chunk` and
 *   `progress` apply from the start.
 * - `chunk` bounds every gap between upstream events, keepalives included: `Stream.timeoutFail`
 *   on every pull of the raw events, so any event resets it. Fails with `ChunkTimeout`.
 * - `progress` bounds every gap between content chunks; keepalives do not reset it. Fails with
 *   `ProgressTimeout`.
 * - `total` bounds the whole stream from `startedAt` and fires on time even when nothing at all
 *   arrives. Fails with `TotalTimeout`.
 * - `Done` ends the stream successfully and stops pulling; `ErrorSignal` fails it with
 *   `UpstreamErrorSignal`; an upstream that ends without `Done` fails it with `UnexpectedEnd`.
 *
 * The upstream runs in a scope of its own, closed (its finalizers run: the HTTP connection is
 * destroyed) before the end or the failure reaches the consumer; a consumer that stops early or
 * is interrupted closes it too. The `StreamObserver` in context hears every step and, exactly
 * once, the outcome.
 *
 * @since 0.1.0
 * @category combinators
 */
export const guard: {
  (
    policy: TimeoutPolicy.TimeoutPolicy,
    options?: GuardOptions
  ): <S extends StreamEvent.StreamEvent<any>, E, R>(
    self: Stream.Stream<S, E, R>
  ) => Stream.Stream<StreamEvent.ValueOf<S>, E | GuardError, R>
  <S extends StreamEvent.StreamEvent<any>, E, R>(
    self: Stream.Stream<S, E, R>,
    policy: TimeoutPolicy.TimeoutPolicy,
    options?: GuardOptions
  ): Stream.Stream<StreamEvent.ValueOf<S>, E | GuardError, R>
  /** With the content type given explicitly: `guard<A, E, R>(self, policy)`. */
  <A, E, R>(
    self: Stream.Stream<StreamEvent.StreamEvent<A>, E, R>,
    policy: TimeoutPolicy.TimeoutPolicy,
    options?: GuardOptions
  ): Stream.Stream<A, E | GuardError, R>
} = dual(
  (args) => Predicate.hasProperty(args[0], Stream.StreamTypeId),
  <A, E, R>(
    self: Stream.Stream<StreamEvent.StreamEvent<A>, E, R>,
    policy: TimeoutPolicy.TimeoutPolicy,
    options?: GuardOptions
  ): Stream.Stream<A, E | GuardError, R> => make(Effect.succeed(self), policy, options, contentOf)
)

/**
 * `guard`, but yields the events themselves, up to and including `Done`: content, every keepalive
 * (with the frame it carries when it has one: Anthropic `message_start`, `ping`; SSE comments
 * carry none) and the done event, so a relay can forward the stream as it came. Same rules, same
 * errors; `ErrorSignal` is never emitted, it fails the stream.
 *
 * @since 0.1.0
 * @category combinators
 */
export const guardEvents: {
  (
    policy: TimeoutPolicy.TimeoutPolicy,
    options?: GuardOptions
  ): <S extends StreamEvent.StreamEvent<any>, E, R>(self: Stream.Stream<S, E, R>) => Stream.Stream<S, E | GuardError, R>
  <S extends StreamEvent.StreamEvent<any>, E, R>(
    self: Stream.Stream<S, E, R>,
    policy: TimeoutPolicy.TimeoutPolicy,
    options?: GuardOptions
  ): Stream.Stream<S, E | GuardError, R>
  /** With the content type given explicitly: `guardEvents<A, E, R>(self, policy)`. */
  <A, E, R>(
    self: Stream.Stream<StreamEvent.StreamEvent<A>, E, R>,
    policy: TimeoutPolicy.TimeoutPolicy,
    options?: GuardOptions
  ): Stream.Stream<StreamEvent.StreamEvent<A>, E | GuardError, R>
} = dual(
  (args) => Predicate.hasProperty(args[0], Stream.StreamTypeId),
  <A, E, R>(
    self: Stream.Stream<StreamEvent.StreamEvent<A>, E, R>,
    policy: TimeoutPolicy.TimeoutPolicy,
    options?: GuardOptions
  ): Stream.Stream<StreamEvent.StreamEvent<A>, E | GuardError, R> =>
    make<A, StreamEvent.StreamEvent<A>, E, R, never>(Effect.succeed(self), policy, options, (event) => event)
)

/**
 * `guard` for an upstream that must first be opened, such as an HTTP request: `open` runs in the
 * upstream's scope (so its resources close with the stream) and is bounded only by `total` and
 * `firstChunk`, counted from `startedAt`: its own phases (pool, connect, write, headers, retry
 * back-off) have their own limits. `chunk` and `progress` start once it has opened. A failure of
 * `open` is the stream's outcome (`connect_timeout`, `upstream_http_error`, ...), and the observer
 * hears it like any other end.
 *
 * @since 0.1.0
 * @category combinators
 */
export const guardOpening: {
  (
    policy: TimeoutPolicy.TimeoutPolicy,
    options?: GuardOptions
  ): <S extends StreamEvent.StreamEvent<any>, E, R, R2>(
    open: Effect.Effect<Stream.Stream<S, E, R>, E, R2>
  ) => Stream.Stream<StreamEvent.ValueOf<S>, E | GuardError, R | Exclude<R2, Scope.Scope>>
  <S extends StreamEvent.StreamEvent<any>, E, R, R2>(
    open: Effect.Effect<Stream.Stream<S, E, R>, E, R2>,
    policy: TimeoutPolicy.TimeoutPolicy,
    options?: GuardOptions
  ): Stream.Stream<StreamEvent.ValueOf<S>, E | GuardError, R | Exclude<R2, Scope.Scope>>
  /** With the content type given explicitly. */
  <A, E, R, R2>(
    open: Effect.Effect<Stream.Stream<StreamEvent.StreamEvent<A>, E, R>, E, R2>,
    policy: TimeoutPolicy.TimeoutPolicy,
    options?: GuardOptions
  ): Stream.Stream<A, E | GuardError, R | Exclude<R2, Scope.Scope>>
} = dual(
  (args) => Effect.isEffect(args[0]),
  <A, E, R, R2>(
    open: Effect.Effect<Stream.Stream<StreamEvent.StreamEvent<A>, E, R>, E, R2>,
    policy: TimeoutPolicy.TimeoutPolicy,
    options?: GuardOptions
  ): Stream.Stream<A, E | GuardError, R | Exclude<R2, Scope.Scope>> => make(open, policy, options, contentOf)
)

/**
 * `guardOpening` that yields the events themselves, as `guardEvents` does.
 *
 * @since 0.1.0
 * @category combinators
 */
export const guardEventsOpening: {
  (
    policy: TimeoutPolicy.TimeoutPolicy,
    options?: GuardOptions
  ): <S extends StreamEvent.StreamEvent<any>, E, R, R2>(
    open: Effect.Effect<Stream.Stream<S, E, R>, E, R2>
  ) => Stream.Stream<S, E | GuardError, R | Exclude<R2, Scope.Scope>>
  <S extends StreamEvent.StreamEvent<any>, E, R, R2>(
    open: Effect.Effect<Stream.Stream<S, E, R>, E, R2>,
    policy: TimeoutPolicy.TimeoutPolicy,
    options?: GuardOptions
  ): Stream.Stream<S, E | GuardError, R | Exclude<R2, Scope.Scope>>
  /** With the content type given explicitly. */
  <A, E, R, R2>(
    open: Effect.Effect<Stream.Stream<StreamEvent.StreamEvent<A>, E, R>, E, R2>,
    policy: TimeoutPolicy.TimeoutPolicy,
    options?: GuardOptions
  ): Stream.Stream<StreamEvent.StreamEvent<A>, E | GuardError, R | Exclude<R2, Scope.Scope>>
} = dual(
  (args) => Effect.isEffect(args[0]),
  <A, E, R, R2>(
    open: Effect.Effect<Stream.Stream<StreamEvent.StreamEvent<A>, E, R>, E, R2>,
    policy: TimeoutPolicy.TimeoutPolicy,
    options?: GuardOptions
  ): Stream.Stream<StreamEvent.StreamEvent<A>, E | GuardError, R | Exclude<R2, Scope.Scope>> =>
    make<A, StreamEvent.StreamEvent<A>, E, R, R2>(open, policy, options, (event) => event)
)

/** What the guard emits for an event other than `ErrorSignal`: `undefined` emits nothing. */
type Select<A, B> = (event: StreamEvent.StreamEvent<A>) => B | undefined

const contentOf = <A>(event: StreamEvent.StreamEvent<A>): A | undefined =>
  event._tag === "Chunk" ? event.value : undefined

let nextStreamId = 0

const make = <A, B, E, R, R2>(
  open: Effect.Effect<Stream.Stream<StreamEvent.StreamEvent<A>, E, R>, E, R2>,
  policy: TimeoutPolicy.TimeoutPolicy,
  options: GuardOptions | undefined,
  select: Select<A, B>
): Stream.Stream<B, E | GuardError, R | Exclude<R2, Scope.Scope>> =>
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
    // Added before the upstream's scope is forked, so that it runs after that scope has closed.
    yield* Scope.addFinalizerExit(outer, (exit) => observer.ended(info, state.ended(exit)))
    const upstream = yield* Scope.fork(outer, ExecutionStrategy.sequential)
    const opened = yield* Deferred.make<void>()
    // Opening runs inside the watched stream, so `total` and `firstChunk` bound it too; the
    // upstream counts as heard from once it has opened, which is where `chunk` and `progress` start.
    const events = Stream.unwrap(Effect.gen(function*() {
      const self = yield* Scope.extend(open, upstream)
      state.open()
      yield* Deferred.succeed(opened, undefined)
      const pull = yield* Scope.extend(Stream.toPull(self), upstream)

      // Bookkeeping happens once per pull (one network read's worth of events), synchronously.
      // Unobserved streams (the default) skip building the observer's effects on every pull.
      const tracked = observer === StreamObserver.noopService
        ? Effect.map(pull, (events) => {
          state.track(events)
          return events
        })
        : Effect.flatMap(pull, (events) => {
          const seen = state.track(events)
          if (seen === undefined) return Effect.succeed(events)
          const told = observer.received(info, seen.received)
          return Effect.as(
            seen.first ? Effect.zipRight(told, observer.firstChunk(info, state.now() - state.startedAt)) : told,
            events
          )
        })
      const pulled = Effect.catchAll(tracked, (error) => {
        if (Option.isNone(error)) state.eof = true
        return Effect.fail(error)
      })

      const chunkLimit = TimeoutPolicy.limit(policy, "chunk")
      const steady = (): Stream.Stream<StreamEvent.StreamEvent<A>, E | ChunkTimeout, R> => {
        const source = Stream.repeatEffectChunkOption(pulled)
        return Option.match(chunkLimit, {
          onNone: () => source,
          onSome: (limit) => Stream.timeoutFail(source, () => new ChunkTimeout(state.details(limit)), limit)
        })
      }
      // With `firstChunk`, the chunk timer starts only once content has arrived: before that the
      // watchdog's first-chunk deadline is the limit. The head pulls until a batch brings content.
      const events: Stream.Stream<StreamEvent.StreamEvent<A>, E | ChunkTimeout, R> = Option.isSome(
          TimeoutPolicy.limit(policy, "firstChunk")
        )
        ? Stream.concat(
          Stream.repeatEffectChunkOption(
            Effect.suspend(() => state.firstChunkAt === undefined ? pulled : Effect.fail(Option.none()))
          ),
          Stream.suspend(() => state.eof ? Stream.empty : steady())
        )
        : steady()
      return events
    }))

    const selected = Stream.pipeThroughChannel(events, untilDone<A, B, E | ChunkTimeout>(state, select))
    // `Stream.interruptWhen` races every pull (measured: about as costly as the rest of the guard
    // together), so it is only paid for when there is a deadline to watch.
    const watched = hasDeadlines(policy)
      ? Stream.interruptWhen(selected, yield* watchdog(policy, state, opened))
      : selected

    return watched.pipe(
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

const hasDeadlines = (policy: TimeoutPolicy.TimeoutPolicy): boolean =>
  Option.isSome(TimeoutPolicy.limit(policy, "firstChunk")) ||
  Option.isSome(TimeoutPolicy.limit(policy, "progress")) ||
  Option.isSome(TimeoutPolicy.limit(policy, "total"))

/**
 * One fiber that enforces `firstChunk`, `progress` and `total`. It sleeps until the earliest
 * deadline, then checks whether that deadline still holds (content may have moved it) and sleeps
 * again for the rest, so content arriving costs no timer work at all and an idle stream wakes
 * only when a limit could actually expire. With no deadline left it parks on a deferred that is
 * never completed, holding no timer.
 */
const watchdog = (
  policy: TimeoutPolicy.TimeoutPolicy,
  state: GuardState,
  opened: Deferred.Deferred<void>
): Effect.Effect<Effect.Effect<never, FirstChunkTimeout | ProgressTimeout | TotalTimeout>> =>
  Effect.map(Deferred.make<never>(), (parked) => {
    const total = Option.map(TimeoutPolicy.limit(policy, "total"), Duration.toMillis)
    const firstChunk = Option.map(TimeoutPolicy.limit(policy, "firstChunk"), Duration.toMillis)
    const progress = Option.map(TimeoutPolicy.limit(policy, "progress"), Duration.toMillis)

    const next = ():
      | { readonly at: number; readonly fail: () => FirstChunkTimeout | ProgressTimeout | TotalTimeout }
      | undefined =>
    {
      let at = Infinity
      let fail: (() => FirstChunkTimeout | ProgressTimeout | TotalTimeout) | undefined
      if (Option.isSome(total) && state.startedAt + total.value < at) {
        at = state.startedAt + total.value
        fail = () => new TotalTimeout(state.details(Duration.millis(total.value)))
      }
      const waitingForFirst = state.firstChunkAt === undefined
      if (waitingForFirst && Option.isSome(firstChunk) && state.startedAt + firstChunk.value < at) {
        at = state.startedAt + firstChunk.value
        fail = () => new FirstChunkTimeout(state.details(Duration.millis(firstChunk.value)))
      }
      if (
        Option.isSome(progress) && state.openedAt !== undefined && !(waitingForFirst && Option.isSome(firstChunk)) &&
        state.lastChunkAt + progress.value < at
      ) {
        at = state.lastChunkAt + progress.value
        fail = () => new ProgressTimeout(state.details(Duration.millis(progress.value)))
      }
      return fail === undefined ? undefined : { at, fail }
    }

    const loop: Effect.Effect<never, FirstChunkTimeout | ProgressTimeout | TotalTimeout> = Effect.suspend(() => {
      const deadline = next()
      const remaining = deadline === undefined ? Infinity : deadline.at - state.now()
      if (deadline !== undefined && remaining <= 0) return Effect.fail(deadline.fail())
      const wait = deadline === undefined ? Deferred.await(parked) : Effect.sleep(remaining)
      // Until the upstream opens, `progress` has no deadline yet: wake when it opens to arm it.
      const woken = state.openedAt === undefined && Option.isSome(progress)
        ? Effect.raceFirst(wait, Deferred.await(opened))
        : wait
      return Effect.zipRight(woken, loop)
    })
    return loop
  })

type Pipe<A, B, E> = Channel.Channel<
  Chunk.Chunk<B>,
  Chunk.Chunk<StreamEvent.StreamEvent<A>>,
  E | GuardError,
  E,
  unknown,
  unknown
>

/**
 * Emits what `select` picks from each event; ends at `Done` (pulling nothing more), fails at
 * `ErrorSignal`, and fails with `UnexpectedEnd` when the upstream ends without `Done`.
 */
const untilDone = <A, B, E>(state: GuardState, select: Select<A, B>): Pipe<A, B, E> => {
  const loop: Pipe<A, B, E> = Channel.readWithCause({
    onInput: (events: Chunk.Chunk<StreamEvent.StreamEvent<A>>): Pipe<A, B, E> => {
      const out: Array<B> = []
      for (const event of events) {
        if (event._tag === "ErrorSignal") {
          return emitThen<A, B, E>(
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
        const selected = select(event)
        if (selected !== undefined) out.push(selected)
        if (event._tag === "Done") return emitThen<A, B, E>(out, Channel.void)
      }
      return emitThen(out, loop)
    },
    onFailure: (cause: Cause.Cause<E>): Pipe<A, B, E> => Channel.failCause(cause),
    onDone: (): Pipe<A, B, E> =>
      Channel.fail(new UnexpectedEnd({ elapsedMillis: state.now() - state.startedAt, chunks: state.chunks }))
  })
  return loop
}

const emitThen = <A, B, E>(out: Array<B>, next: Pipe<A, B, E>): Pipe<A, B, E> =>
  out.length === 0 ? next : Channel.zipRight(Channel.write(Chunk.unsafeFromArray(out)), next)
