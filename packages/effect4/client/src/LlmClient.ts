/**
 * The LLM HTTP client: one call streams a provider's answer under the request's timeout policy and,
 * however the stream ends, closes its HTTP connection so the upstream stops working.
 *
 * @since 0.1.0
 */
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import * as Guard from "@streamguard/core/Guard"
import * as RequestProfile from "@streamguard/core/RequestProfile"
import * as StreamEvent from "@streamguard/core/StreamEvent"
import * as StreamObserver from "@streamguard/core/StreamObserver"
import * as TimeoutPolicy from "@streamguard/core/TimeoutPolicy"
import type * as Dialect from "@streamguard/protocols/Dialect"
import type * as Config from "effect/Config"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as HttpClient from "effect/http/HttpClient"
import type * as HttpClientRequest from "effect/http/HttpClientRequest"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import type * as Schedule from "effect/Schedule"
import * as Stream from "effect/Stream"
import { Agent } from "undici"
import type { BatchResponse } from "./BatchResponse.js"
import type { AttemptError, BatchError, StreamError } from "./ClientError.js"
import { isBatchError } from "./ClientError.js"
import * as Attempts from "./internal/attempts.js"
import * as HttpClientTransport from "./internal/httpClientTransport.js"
import * as Slots from "./internal/slots.js"
import * as StreamKind from "./internal/streamKind.js"
import type { Transport } from "./internal/transport.js"
import * as UndiciTransport from "./internal/undiciTransport.js"
import { excerptWithin } from "./internal/upstream.js"

export type {
  /**
   * @since 0.1.0
   * @category errors
   */
  AttemptError,
  /**
   * @since 0.1.0
   * @category errors
   */
  BatchError,
  /**
   * @since 0.1.0
   * @category errors
   */
  StreamError
} from "./ClientError.js"

/**
 * Options of `stream` and `streamEvents`.
 *
 * @since 0.1.0
 * @category models
 */
export interface StreamOptions<A> {
  /** How the response bytes mean content, keepalive, done or error. */
  readonly dialect: Dialect.Dialect<A>
  /**
   * Overrides of the current `RequestProfile`'s policy, field by field. Applied last: after the
   * limits a kind of stream lifts (`Dialect.streamKind`: MCP's `subscriptions/listen` drops
   * `progress`, `total` and `minRate`), so they can bound such a stream again.
   */
  readonly policy?: TimeoutPolicy.Fields | undefined
  /** Low-cardinality labels for the observer, beside `profile` and `dialect`. */
  readonly labels?: Readonly<Record<string, string>> | undefined
  /**
   * Retries, opt-in. Only failures before any content reached the consumer are retried (a refused
   * or reset connection, a connect timeout, a transient HTTP status: 408, 429, 500, 502, 503, 504 or
   * 529, as `StreamOutcome.isTransientStatus` says), each delay at least the
   * upstream's `retry-after`, and no retry starts that would end past the `total` budget.
   */
  readonly retry?: Schedule.Schedule<unknown, AttemptError> | undefined
  /** Decode options, over those of the request's stream kind (`Dialect.streamKind`). */
  readonly decode?: Dialect.DecodeOptions | undefined
  /**
   * `streamEvents` only: a payload-less `Keepalive` of the guard's own every `heartbeat` while the
   * consumer waits for the upstream after it answered (a relay's keep-alive comment).
   */
  readonly heartbeat?: Duration.Input | undefined
  /** Called at each heartbeat; `true` when it delivered the keepalive itself (see `Guard.GuardOptions`). */
  readonly onHeartbeat?: (() => boolean) | undefined
  /** Aborting it ends the stream with `StreamAborted` and closes the connection at once. */
  readonly signal?: AbortSignal | undefined
  /** The observer of this stream, instead of the `StreamObserver` in context. */
  readonly observer?: StreamObserver.Service | undefined
}

/**
 * Options of `batch`.
 *
 * @since 0.1.0
 * @category models
 */
export interface BatchOptions {
  readonly policy?: TimeoutPolicy.Fields | undefined
  /** As for `stream`; the budget retries stay within is the `request` limit. */
  readonly retry?: Schedule.Schedule<unknown, AttemptError> | undefined
}

/**
 * @since 0.1.0
 * @category models
 */
export interface Service {
  /**
   * Sends `request` and streams the decoded content (`A` of the dialect), guarded by the current
   * `RequestProfile`'s policy merged with `options.policy`.
   *
   * Phases, each with its own error: `pool` (a connection slot, when the layer limits
   * connections), `connect` (until a connection writes the request), `write` (until the body is
   * handed to the socket), `headers` (until the status and headers; without a `headers` limit,
   * `chunk` bounds this wait), then the guard's `firstChunk` and `total`, counted from when the
   * call began, and `chunk` and `progress`, counted from the response; `reasoning` and `minRate`
   * when the policy sets them, with the dialect telling reasoning from answer content
   * (`isReasoning`); `request` (a non-streamed call's limit) does not apply. A non-2xx answer fails
   * with `UpstreamHttpError`. The observer counts the dialect's pings (`isPing`) as keepalives,
   * not its lifecycle frames.
   *
   * The request lives in the stream's scope: whatever ends the stream (done, an error signal, any
   * timeout, an interruption, the consumer taking only what it needs) aborts the request and
   * destroys the socket, so the upstream sees the close at once; a half-read connection never
   * goes back to the pool.
   */
  readonly stream: <A>(
    request: HttpClientRequest.HttpClientRequest,
    options: StreamOptions<A>
  ) => Stream.Stream<A, StreamError, RequestProfile.RequestProfile>
  /**
   * `stream`, but yields the events up to and including `Done` (content, keepalives with their
   * frames, the done frame), for a relay that forwards every frame.
   */
  readonly streamEvents: <A>(
    request: HttpClientRequest.HttpClientRequest,
    options: StreamOptions<A>
  ) => Stream.Stream<StreamEvent.StreamEvent<A>, StreamError, RequestProfile.RequestProfile>
  /**
   * Sends `request` and reads the whole response under the `request` limit (and the `pool`,
   * `connect`, `write`, `headers` limits), which fails with `RequestTimeout`. `request` bounds the
   * wait for headers and the body together; the stream limits (`chunk`, `firstChunk`, `progress`,
   * `total`) do not apply, since a provider may answer a non-streamed call only once the whole
   * answer is ready. Without a `request` limit the call is bounded by its phases alone. The
   * connection is released as soon as the body is read (kept alive for reuse) or the request fails
   * (destroyed).
   */
  readonly batch: (
    request: HttpClientRequest.HttpClientRequest,
    options?: BatchOptions
  ) => Effect.Effect<BatchResponse, BatchError, RequestProfile.RequestProfile>
  /**
   * What `stream` and `streamEvents` are made of, read from the current `RequestProfile`: the
   * transport that opens `request` and feeds the guard, the policy and the guard's options. For
   * building the stream yourself with `Guard.fromFeed` or `Guard.fromFeedEvents`, as the accessors
   * do, so that reading the client from context costs nothing per stream.
   */
  readonly prepare: <A>(
    request: HttpClientRequest.HttpClientRequest,
    options: StreamOptions<A>
  ) => Effect.Effect<Guard.FeedSetup<A, StreamError, never>, never, RequestProfile.RequestProfile>
}

/**
 * @since 0.1.0
 * @category tags
 */
export class LlmClient extends Context.Service<LlmClient, Service>()("@streamguard/client/LlmClient") {}

/**
 * @since 0.1.0
 * @category models
 */
export interface Options {
  /**
   * At most this many connections per origin. Requests beyond it wait for a slot, bounded by
   * the policy's `pool` limit. Absent: no limit.
   */
  readonly connections?: number | undefined
}

/**
 * Builds the client on the `HttpClient` in context. A generic `HttpClient` cannot show when a
 * connection was made or the body sent: `connect` and `write` are then not enforced on their own
 * and the `headers` limit counts from the start. `layerUndici` sees every phase, and reads each
 * response straight from undici's callbacks.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (options?: Options): Effect.Effect<Service, never, HttpClient.HttpClient> =>
  Effect.map(HttpClient.HttpClient, (client) => makeWith(HttpClientTransport.make(client), options))

/**
 * @since 0.1.0
 * @category layers
 */
export const layer = (options?: Options): Layer.Layer<LlmClient, never, HttpClient.HttpClient> =>
  Layer.effect(LlmClient, make(options))

/**
 * The client on the undici dispatcher in context (`NodeHttpClient.Dispatcher`), with every phase
 * observed. Requests go through undici's `dispatch()`; undici's own headers and body timers are
 * off for them, so only the policy decides.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerDispatcher = (options?: Options): Layer.Layer<LlmClient, never, NodeHttpClient.Dispatcher> =>
  Layer.effect(
    LlmClient,
    Effect.map(NodeHttpClient.Dispatcher, (dispatcher) => makeWith(UndiciTransport.make(dispatcher), options))
  )

/**
 * The client on an undici `Agent` of its own, destroyed with the layer. undici's own timers are
 * all off (connect, headers and body timeouts), so only the policy decides when a request has
 * waited too long.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerUndici = (options?: Options): Layer.Layer<LlmClient> =>
  Layer.provide(
    layerDispatcher(options),
    Layer.effect(
      NodeHttpClient.Dispatcher,
      Effect.acquireRelease(
        Effect.sync(() =>
          new Agent({
            connect: { timeout: 0 },
            headersTimeout: 0,
            bodyTimeout: 0,
            ...(options?.connections === undefined ? {} : { connections: options.connections })
          })
        ),
        (agent) => Effect.promise(() => agent.destroy())
      )
    )
  )

/**
 * `layerUndici` with its options read from config.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerConfig = (config: Config.Config<Options>): Layer.Layer<LlmClient, Config.ConfigError> =>
  Layer.unwrap(Effect.map(config, layerUndici))

/**
 * @since 0.1.0
 * @category accessors
 */
export const stream = <A>(
  request: HttpClientRequest.HttpClientRequest,
  options: StreamOptions<A>
): Stream.Stream<A, StreamError, LlmClient | RequestProfile.RequestProfile> =>
  Guard.fromFeed(Effect.flatMap(LlmClient, (client) => client.prepare(request, options)))

/**
 * @since 0.1.0
 * @category accessors
 */
export const streamEvents = <A>(
  request: HttpClientRequest.HttpClientRequest,
  options: StreamOptions<A>
): Stream.Stream<StreamEvent.StreamEvent<A>, StreamError, LlmClient | RequestProfile.RequestProfile> =>
  Guard.fromFeedEvents(Effect.flatMap(LlmClient, (client) => client.prepare(request, options)))

/**
 * @since 0.1.0
 * @category accessors
 */
export const batch = (
  request: HttpClientRequest.HttpClientRequest,
  options?: BatchOptions
): Effect.Effect<BatchResponse, BatchError, LlmClient | RequestProfile.RequestProfile> =>
  Effect.flatMap(LlmClient, (client) => client.batch(request, options))

/**
 * A batch call is a guarded stream of one value, its whole answer, under `request`: the same
 * phases, deadlines and closing as a stream, without the stream observer.
 */
const guardedBatch = (
  transport: Transport,
  call: Attempts.Call,
  request: HttpClientRequest.HttpClientRequest,
  policy: TimeoutPolicy.TimeoutPolicy
): Effect.Effect<BatchResponse, BatchError> => {
  const within = excerptWithin(TimeoutPolicy.limit(policy, "request"))
  return Guard.fromFeed<BatchResponse, StreamError, never>(
    (feed) =>
      Effect.map(
        Attempts.run(call, feed, transport.batch({ request, feed, excerptWithin: within })),
        (response) => {
          feed.events([
            StreamEvent.Chunk({ value: response, bytes: response.text.length }),
            StreamEvent.Done({ bytes: 0 })
          ])
        }
      ),
    policy,
    { kind: "batch" }
  ).pipe(
    Stream.runHead,
    Effect.flatMap(Option.match({
      onNone: () => Effect.die(new Error("a batch call ended without its answer")),
      onSome: Effect.succeed
    })),
    Effect.provideService(StreamObserver.StreamObserver, StreamObserver.noopService),
    // A batch feeds no content events of its own, so the guard's content errors cannot occur.
    Effect.catchIf((error) => !isBatchError(error), Effect.die)
  ) as Effect.Effect<BatchResponse, BatchError>
}

const makeWith = (transport: Transport, options: Options | undefined): Service => {
  const slotsOf = Slots.byOrigin(options?.connections)

  const callOf = (
    request: HttpClientRequest.HttpClientRequest,
    policy: TimeoutPolicy.TimeoutPolicy,
    budget: TimeoutPolicy.Field,
    retry: Schedule.Schedule<unknown, AttemptError> | undefined
  ): Attempts.Call => ({
    retry,
    budget: TimeoutPolicy.limit(policy, budget),
    slots: slotsOf(request.url)
  })

  const prepare = <A>(
    request: HttpClientRequest.HttpClientRequest,
    streamOptions: StreamOptions<A>
  ): Effect.Effect<Guard.FeedSetup<A, StreamError, never>, never, RequestProfile.RequestProfile> =>
    Effect.map(RequestProfile.RequestProfile, (profile) => {
      const { decode, policy } = StreamKind.adjust(streamOptions.dialect, request, profile.policy, streamOptions)
      const call = callOf(request, policy, "total", streamOptions.retry)
      const within = excerptWithin(TimeoutPolicy.limit(policy, "chunk"))
      return {
        // Opening is the guard's opening phase: `total` and `firstChunk` count from the start, the
        // idle limits from the response, and the observer hears a stream that never got one, too.
        open: (feed) =>
          Attempts.run(
            call,
            feed,
            transport.stream({ request, feed, excerptWithin: within }, streamOptions.dialect, decode)
          ),
        policy,
        options: {
          labels: { profile: profile.name, dialect: streamOptions.dialect.name, ...streamOptions.labels },
          heartbeat: streamOptions.heartbeat === undefined
            ? undefined
            : Duration.fromInputUnsafe(streamOptions.heartbeat),
          onHeartbeat: streamOptions.onHeartbeat,
          signal: streamOptions.signal,
          observer: streamOptions.observer,
          isPing: streamOptions.dialect.isPing,
          isReasoning: streamOptions.dialect.isReasoning
        }
      }
    })

  const batch = (
    request: HttpClientRequest.HttpClientRequest,
    batchOptions?: BatchOptions
  ): Effect.Effect<BatchResponse, BatchError, RequestProfile.RequestProfile> =>
    Effect.flatMap(RequestProfile.RequestProfile, (profile) => {
      const policy = TimeoutPolicy.merge(profile.policy, batchOptions?.policy ?? {})
      const call = callOf(request, policy, "request", batchOptions?.retry)
      return guardedBatch(transport, call, request, policy).pipe(
        Effect.withSpan("LlmClient.batch", { attributes: { "streamguard.profile": profile.name } })
      )
    })

  return LlmClient.of({
    stream: (request, streamOptions) => Guard.fromFeed(prepare(request, streamOptions)),
    streamEvents: (request, streamOptions) => Guard.fromFeedEvents(prepare(request, streamOptions)),
    prepare,
    batch
  })
}
