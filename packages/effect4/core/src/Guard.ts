/**
 * The guard: turns a stream of upstream events into a stream that ends in exactly one known way,
 * within the budgets of a `TimeoutPolicy`.
 *
 * @since 0.1.0
 */
import * as Effect from "effect/Effect"
import { dual } from "effect/Function"
import type * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import type { GuardError } from "./GuardError.js"
import type * as Feeds from "./internal/feed.js"
import * as GuardedChannel from "./internal/guardedChannel.js"
import * as Pump from "./internal/pump.js"
import * as Reference from "./internal/reference.js"
import type * as StreamEvent from "./StreamEvent.js"
import type * as TimeoutError from "./TimeoutError.js"
import type * as TimeoutPolicy from "./TimeoutPolicy.js"

/**
 * The options of every guard: observer `labels`, `startedAt`, the `heartbeat` (and
 * `onHeartbeat`), an `observer` of its own, an abort `signal`, and the dialect's `isPing` and
 * `isReasoning` rules. Each is described on its field.
 *
 * @since 0.1.0
 * @category models
 */
export interface GuardOptions extends Omit<Feeds.Options, "kind"> {}

const isStream = (args: IArguments) => Stream.isStream(args[0])

/** The guard of an upstream stream, yielding `emit`. */
const guarding = (emit: Feeds.Emit) =>
<A, E, R>(
  self: Stream.Stream<StreamEvent.StreamEvent<A>, E, R>,
  policy: TimeoutPolicy.TimeoutPolicy,
  options?: GuardOptions
): Stream.Stream<any, E | GuardError, R> =>
  GuardedChannel.make(
    Effect.succeed({ open: (feed) => Pump.opening(Effect.succeed(self), feed), policy, options }),
    emit
  )

/** The guard of an upstream that must first be opened, yielding `emit`. */
const opening = (emit: Feeds.Emit) =>
<A, E, R, R2>(
  open: Effect.Effect<Stream.Stream<StreamEvent.StreamEvent<A>, E, R>, E, R2>,
  policy: TimeoutPolicy.TimeoutPolicy,
  options?: GuardOptions
): Stream.Stream<any, E | GuardError, R | Exclude<R2, Scope.Scope>> =>
  GuardedChannel.make(Effect.succeed({ open: (feed) => Pump.opening(open, feed), policy, options }), emit)

/**
 * Guards a stream of upstream events with a timeout policy and yields the content.
 *
 * - Until the first content `Chunk`, when `firstChunk` is set it is the only limit besides
 *   `total`: a long silent start ("thinking") is allowed up to it. When it is not set, `chunk` and
 *   `progress` apply from the start.
 * - `chunk` bounds every wait for the upstream's next event, keepalives included: any event resets
 *   it. Fails with `ChunkTimeout`.
 * - `progress` bounds the wait for the next content `Chunk`; keepalives do not reset it. Fails
 *   with `ProgressTimeout`.
 * - `firstChunk`, `chunk` and `progress` measure the upstream's silence while the consumer waits
 *   for it: while the consumer is busy with what it was handed, they do not run, so a slow
 *   consumer is never taken for a silent upstream. The guard reads ahead up to 512 events, then
 *   stops pulling the upstream until the consumer catches up.
 * - `total` bounds the whole stream from `startedAt` and fires on time even when nothing at all
 *   arrives or the consumer is busy. Fails with `TotalTimeout`.
 * - `reasoning` bounds how long content may be only reasoning (as `isReasoning` tells it) before
 *   the answer begins, counted from the first reasoning like `progress`. Fails with `ReasoningTimeout`.
 * - `minRate` wants at least its number of content events in every window, from the first content
 *   on, checked at each window's end (a window in which the guard had paused the upstream for a
 *   slow consumer does not count). Fails with `SlowStream`.
 * - `Done` ends the stream successfully and stops pulling; `ErrorSignal` fails it with
 *   `UpstreamErrorSignal`; an upstream that ends without `Done` fails it with `UnexpectedEnd`.
 *
 * The upstream is pulled by a fiber of the guard's and closed (its finalizers run: the HTTP
 * connection is destroyed) before the end or the failure reaches the consumer; a consumer that
 * stops early or is interrupted closes it too. All guarded streams of one `Clock` share one
 * deadline scheduler: no timer per stream, no timer work per chunk, and `TestClock.adjust` drives
 * every limit. The `StreamObserver` in context hears every step and, exactly once, the outcome.
 *
 * `reference` states the `chunk` and `total` rules in the card's shape (`Stream.timeoutOrElse` per
 * gap, a whole-request timeout); this guard is tested to agree with it.
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
} = dual(isStream, guarding("content"))

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
} = dual(isStream, guarding("events"))

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
} = dual((args) => Effect.isEffect(args[0]), opening("content"))

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
} = dual((args) => Effect.isEffect(args[0]), opening("events"))

/**
 * Reads an Effect stream of events into a feed: for a transport whose response comes as an
 * Effect stream (any platform `HttpClient`). Run it in the feed's transport fiber (what
 * `fromFeed`'s `open` returns): it stops at the end the guard decides, waits while the consumer is
 * behind, and tells the feed how the stream ended (`end`, or `fail` with its error; a defect
 * fails the pump itself).
 *
 * @since 0.1.0
 * @category transports
 */
export const pump = <A, E, R>(
  events: Stream.Stream<StreamEvent.StreamEvent<A>, E, R>,
  feed: Feed<A, E>
): Effect.Effect<void, never, R> => Pump.make(events, feed)

/**
 * A phase of a request before its response; each has its own limit (`TimeoutPolicy`), counted
 * from when the transport says it began.
 *
 * @since 0.1.0
 * @category transports
 */
export type Phase = Feeds.Phase

/**
 * What a transport lets the guard do to it: `abort` at once (destroy the connection) at whatever
 * ends the stream, and `pause`/`resume` reading for backpressure.
 *
 * @since 0.1.0
 * @category transports
 */
export type Control = Feeds.Control

/**
 * The push side of one guarded stream, for transports that read bytes themselves (a socket's data
 * callback): `phase` as the request proceeds, `opened` when the response starts, `events` for each
 * network read (returns `false` to ask for a pause), `end` at EOF, `fail` when the transport
 * fails, `control` to hand over abort/pause/resume. Every call is synchronous, cheap and ignored
 * after the end.
 *
 * @since 0.1.0
 * @category transports
 */
export type Feed<A, E> = Feeds.Feed<A, E>

/**
 * @since 0.1.0
 * @category transports
 */
export interface FeedOptions extends GuardOptions {
  /**
   * `stream` (default): a streamed response under `total`, `firstChunk`, `chunk` and `progress`.
   * `batch`: a whole response under `request`, which fails with `RequestTimeout`.
   */
  readonly kind?: "stream" | "batch" | undefined
}

/**
 * What `fromFeed` needs: the transport (`open`), the policy and the options.
 *
 * @since 0.1.0
 * @category transports
 */
export interface FeedSetup<A, E, R> {
  readonly open: (feed: Feed<A, E>) => Effect.Effect<void, E, R>
  readonly policy: TimeoutPolicy.TimeoutPolicy
  readonly options?: FeedOptions | undefined
}

/**
 * The guard for a transport of your own: `open` runs from the first pull, in a fiber of the
 * guard's, and feeds what the upstream does. It may return once the response started (a socket
 * that keeps feeding from its callbacks) or keep running until its source ends (a pump). Any
 * decision (a limit expired, `Done`, an error signal, the consumer leaving) aborts the transport
 * through its `Control` and interrupts `open` if it still runs. The request's phases (`pool`,
 * `connect`, `write`, `headers`) are timed from the `phase` calls.
 *
 * Given one effect instead, it reads the setup from context at the first pull (a request's
 * profile, a client service), with nothing to unwrap: the stream is the guard's state from the
 * start.
 *
 * @since 0.1.0
 * @category transports
 */
export const fromFeed: {
  <A, E, R, R2>(setup: Effect.Effect<FeedSetup<A, E, R>, never, R2>): Stream.Stream<A, E | FeedError, R | R2>
  <A, E, R>(
    open: (feed: Feed<A, E>) => Effect.Effect<void, E, R>,
    policy: TimeoutPolicy.TimeoutPolicy,
    options?: FeedOptions
  ): Stream.Stream<A, E | FeedError, R>
} = <A, E, R>(
  open: ((feed: Feed<A, E>) => Effect.Effect<void, E, R>) | Effect.Effect<FeedSetup<A, E, R>, never, any>,
  policy?: TimeoutPolicy.TimeoutPolicy,
  options?: FeedOptions
): Stream.Stream<A, E | FeedError, any> => GuardedChannel.make(GuardedChannel.setupOf(open, policy, options), "content")

/**
 * `fromFeed` that yields the events themselves, as `guardEvents` does.
 *
 * @since 0.1.0
 * @category transports
 */
export const fromFeedEvents: {
  <A, E, R, R2>(
    setup: Effect.Effect<FeedSetup<A, E, R>, never, R2>
  ): Stream.Stream<StreamEvent.StreamEvent<A>, E | FeedError, R | R2>
  <A, E, R>(
    open: (feed: Feed<A, E>) => Effect.Effect<void, E, R>,
    policy: TimeoutPolicy.TimeoutPolicy,
    options?: FeedOptions
  ): Stream.Stream<StreamEvent.StreamEvent<A>, E | FeedError, R>
} = <A, E, R>(
  open: ((feed: Feed<A, E>) => Effect.Effect<void, E, R>) | Effect.Effect<FeedSetup<A, E, R>, never, any>,
  policy?: TimeoutPolicy.TimeoutPolicy,
  options?: FeedOptions
): Stream.Stream<StreamEvent.StreamEvent<A>, E | FeedError, any> =>
  GuardedChannel.make(GuardedChannel.setupOf(open, policy, options), "events")

/**
 * What a guarded transport can fail with besides its own errors: the guard's, and the timeouts of
 * the request's phases (`pool`, `connect`, `write`, `headers`). A `batch` feed fails with
 * `RequestTimeout` instead of the stream limits.
 *
 * @since 0.1.0
 * @category transports
 */
export type FeedError =
  | GuardError
  | TimeoutError.PoolTimeout
  | TimeoutError.ConnectTimeout
  | TimeoutError.WriteTimeout
  | TimeoutError.HeadersTimeout

/**
 * The guard's contract for `chunk` and `total`, written in the card's shape: the executable
 * specification that `guard` is tested against (a property test runs random upstreams and
 * interruptions through both and compares outcome, content, end time and the upstream's close).
 * Use `guard` in production: this one costs a fiber and a timer per stream and a latch per pull.
 *
 * - `chunk`: `Stream.timeoutOrElse` on the upstream's events, keepalives included, failing the
 *   stream with `ChunkTimeout` when a gap between them reaches the limit.
 * - `total`: the whole request's timeout from its start (`Stream.interruptWhen` on a sleep that
 *   fails with `TotalTimeout`).
 * - `Stream.timeoutOrElse` reads the upstream in a fiber of its own, ahead of the consumer, so it
 *   times the upstream's silence even while the consumer is busy with what it was handed; `guard`
 *   times only the consumer's waits, as the Effect 3 line's reference does. They agree whenever the
 *   consumer is waiting for the upstream.
 * - The upstream is scoped to the stream: whatever ends it closes the upstream.
 * - `Done` ends it, `ErrorSignal` fails it, the upstream's end without `Done` fails it.
 *
 * @since 0.1.0
 * @category combinators
 */
export const reference: typeof guard = dual(
  isStream,
  <A, E, R>(
    self: Stream.Stream<StreamEvent.StreamEvent<A>, E, R>,
    policy: TimeoutPolicy.TimeoutPolicy,
    options?: GuardOptions
  ): Stream.Stream<A, E | GuardError, R> => Reference.make<A, E, R>(self, policy, options)
)
