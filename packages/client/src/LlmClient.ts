/**
 * The LLM HTTP client: one call streams a provider's answer under the request's timeout policy and,
 * however the stream ends, closes its HTTP connection so the upstream stops working.
 *
 * @since 0.1.0
 */
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import * as HttpBody from "@effect/platform/HttpBody"
import * as HttpClient from "@effect/platform/HttpClient"
import type * as HttpClientError from "@effect/platform/HttpClientError"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import type * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as Guard from "@streamguard/core/Guard"
import type { GuardError } from "@streamguard/core/GuardError"
import * as RequestProfile from "@streamguard/core/RequestProfile"
import type * as StreamEvent from "@streamguard/core/StreamEvent"
import * as StreamObserver from "@streamguard/core/StreamObserver"
import * as TimeoutPolicy from "@streamguard/core/TimeoutPolicy"
import type { TimeoutDetails } from "@streamguard/core/ZombieRequestError"
import {
  ConnectTimeout,
  HeadersTimeout,
  PoolTimeout,
  RequestTimeout,
  WriteTimeout
} from "@streamguard/core/ZombieRequestError"
import type * as Dialect from "@streamguard/protocols/Dialect"
import type { DecodeError } from "@streamguard/protocols/ProtocolError"
import * as Cause from "effect/Cause"
import type * as Clock from "effect/Clock"
import type * as Config from "effect/Config"
import type * as ConfigError from "effect/ConfigError"
import * as Context from "effect/Context"
import * as Deferred from "effect/Deferred"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as ExecutionStrategy from "effect/ExecutionStrategy"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Schedule from "effect/Schedule"
import * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import * as Tracer from "effect/Tracer"
import { Agent } from "undici"
import { BatchResponse } from "./BatchResponse.js"
import type { ClientError } from "./ClientError.js"
import { makePhases, observePhases, type Phases, phasesKey } from "./internal/phases.js"
import { excerptWithin, retryableStatuses, toTransportError, upstreamHttpError } from "./internal/upstream.js"

/**
 * What one attempt to open a request can fail with: the input of a retry `Schedule`.
 *
 * @since 0.1.0
 * @category errors
 */
export type AttemptError = ClientError | PoolTimeout | ConnectTimeout | WriteTimeout | HeadersTimeout

/**
 * What a stream can fail with: an attempt's failure, the guard's (timeouts, error signal,
 * unexpected end), and the dialect's decoding errors.
 *
 * @since 0.1.0
 * @category errors
 */
export type StreamError = AttemptError | GuardError | DecodeError

/**
 * What a batch request can fail with.
 *
 * @since 0.1.0
 * @category errors
 */
export type BatchError = AttemptError | RequestTimeout

/**
 * Options of `stream` and `streamEvents`.
 *
 * @since 0.1.0
 * @category models
 */
export interface StreamOptions<A> {
  /** How the response bytes mean content, keepalive, done or error. */
  readonly dialect: Dialect.Dialect<A>
  /** Overrides of the current `RequestProfile`'s policy, field by field. */
  readonly policy?: TimeoutPolicy.Fields | undefined
  /** Low-cardinality labels for the observer, beside `profile` and `dialect`. */
  readonly labels?: Readonly<Record<string, string>> | undefined
  /**
   * Retries, opt-in. Only failures before any content reached the consumer are retried (a refused
   * or reset connection, a connect timeout, HTTP 408/429/500/502/503/504), each delay at least the
   * upstream's `retry-after`, and no retry starts that would end past the `total` budget.
   */
  readonly retry?: Schedule.Schedule<unknown, AttemptError> | undefined
  readonly decode?: Dialect.DecodeOptions | undefined
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
   * call began, and `chunk` and `progress`, counted from the response. A non-2xx answer fails with
   * `UpstreamHttpError`.
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
   * `connect`, `write`, `headers` limits). The connection is released as soon as the body is read
   * (kept alive for reuse) or the request fails (destroyed).
   */
  readonly batch: (
    request: HttpClientRequest.HttpClientRequest,
    options?: BatchOptions
  ) => Effect.Effect<BatchResponse, BatchError, RequestProfile.RequestProfile>
}

/**
 * @since 0.1.0
 * @category tags
 */
export class LlmClient extends Context.Tag("@streamguard/client/LlmClient")<LlmClient, Service>() {}

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
 * and the `headers` limit counts from the start. `layerUndici` sees every phase.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (options?: Options): Effect.Effect<Service, never, HttpClient.HttpClient> =>
  Effect.map(HttpClient.HttpClient, (client) => makeWith(client, { observed: false, ...options }))

/**
 * @since 0.1.0
 * @category layers
 */
export const layer = (options?: Options): Layer.Layer<LlmClient, never, HttpClient.HttpClient> =>
  Layer.effect(LlmClient, make(options))

/**
 * The client on the platform's undici `HttpClient`, over the undici dispatcher in context
 * (`NodeHttpClient.Dispatcher`), with every phase observed.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerDispatcher = (options?: Options): Layer.Layer<LlmClient, never, NodeHttpClient.Dispatcher> =>
  Layer.effect(
    LlmClient,
    Effect.map(
      NodeHttpClient.Dispatcher,
      (dispatcher) =>
        makeWith(NodeHttpClient.makeUndici(dispatcher.compose(observePhases)), { observed: true, ...options })
    )
  )

/**
 * The client on an undici `Agent` of its own, destroyed with the layer. undici's own timers are
 * all off (connect, headers and body timeouts: the platform's client also disables the last two
 * per request), so only the policy decides when a request has waited too long.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerUndici = (options?: Options): Layer.Layer<LlmClient> =>
  Layer.provide(
    layerDispatcher(options),
    Layer.scoped(
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
export const layerConfig = (config: Config.Config<Options>): Layer.Layer<LlmClient, ConfigError.ConfigError> =>
  Layer.unwrapEffect(Effect.map(config, layerUndici))

/**
 * `layerUndici` without a connection limit.
 *
 * @since 0.1.0
 * @category layers
 */
export const Default: Layer.Layer<LlmClient> = layerUndici()

/**
 * @since 0.1.0
 * @category accessors
 */
export const stream = <A>(
  request: HttpClientRequest.HttpClientRequest,
  options: StreamOptions<A>
): Stream.Stream<A, StreamError, LlmClient | RequestProfile.RequestProfile> =>
  Stream.unwrap(Effect.map(LlmClient, (client) => client.stream(request, options)))

/**
 * @since 0.1.0
 * @category accessors
 */
export const streamEvents = <A>(
  request: HttpClientRequest.HttpClientRequest,
  options: StreamOptions<A>
): Stream.Stream<StreamEvent.StreamEvent<A>, StreamError, LlmClient | RequestProfile.RequestProfile> =>
  Stream.unwrap(Effect.map(LlmClient, (client) => client.streamEvents(request, options)))

/**
 * @since 0.1.0
 * @category accessors
 */
export const batch = (
  request: HttpClientRequest.HttpClientRequest,
  options?: BatchOptions
): Effect.Effect<BatchResponse, BatchError, LlmClient | RequestProfile.RequestProfile> =>
  Effect.flatMap(LlmClient, (client) => client.batch(request, options))

// ---------------------------------------------------------------------------------------------
// internals
// ---------------------------------------------------------------------------------------------

interface MakeOptions extends Options {
  /** Whether the transport reports the connect and write phases (see `internal/phases.ts`). */
  readonly observed: boolean
}

/** The body is handed to undici in pieces of this size so that `write` sees backpressure. */
const bodyPieceBytes = 16 * 1024

/** What one call knows while it opens its request. */
interface Call {
  readonly policy: TimeoutPolicy.TimeoutPolicy
  readonly clock: Clock.Clock
  readonly startedAt: number
  /** The budget retries must end within: `total` for a stream, `request` for a batch. */
  readonly budget: Option.Option<Duration.Duration>
  readonly retry: Schedule.Schedule<unknown, AttemptError> | undefined
  readonly onRetry: (retrying: StreamObserver.Retrying) => Effect.Effect<void>
}

const details = (call: Call, limit: Duration.Duration): TimeoutDetails => {
  const elapsedMillis = call.clock.unsafeCurrentTimeMillis() - call.startedAt
  return {
    limitMillis: Duration.toMillis(limit),
    elapsedMillis,
    chunks: 0,
    sinceLastEventMillis: elapsedMillis,
    lastEvent: "none"
  }
}

/** `effect` within the policy's `field` limit, failing with `onTimeout` past it. */
const within = <A, E, R, E2>(
  effect: Effect.Effect<A, E, R>,
  call: Call,
  field: TimeoutPolicy.Field,
  onTimeout: (details: TimeoutDetails) => E2
): Effect.Effect<A, E | E2, R> =>
  Option.match(TimeoutPolicy.limit(call.policy, field), {
    onNone: () => effect,
    onSome: (limit) => Effect.timeoutFail(effect, { duration: limit, onTimeout: () => onTimeout(details(call, limit)) })
  })

/** The limit of the headers phase: `headers`, else the `chunk` idle limit. */
const headersField = (policy: TimeoutPolicy.TimeoutPolicy): TimeoutPolicy.Field =>
  Option.isSome(TimeoutPolicy.limit(policy, "headers")) ? "headers" : "chunk"

const isRetryable = (error: AttemptError): boolean => {
  switch (error._tag) {
    case "UpstreamHttpError":
      return retryableStatuses.has(error.status)
    case "TransportError":
      return error.stage === "request"
    case "ConnectTimeout":
      return true
    default:
      return false
  }
}

const isSuccess = (status: number): boolean => status >= 200 && status < 300

/** A body given as bytes becomes a stream of pieces, so undici writes it with backpressure. */
const piecewise = (request: HttpClientRequest.HttpClientRequest): HttpClientRequest.HttpClientRequest => {
  const body = request.body
  if (body._tag !== "Uint8Array" || body.body.length <= bodyPieceBytes) return request
  const bytes = body.body
  const pieces: Array<Uint8Array> = []
  for (let at = 0; at < bytes.length; at += bodyPieceBytes) pieces.push(bytes.subarray(at, at + bodyPieceBytes))
  return HttpClientRequest.setBody(
    request,
    HttpBody.stream(Stream.fromIterable(pieces), body.contentType, bytes.length)
  )
}

const makeWith = (httpClient: HttpClient.HttpClient, options: MakeOptions): Service => {
  const client = HttpClient.withScope(httpClient)
  const slots = new Map<string, Effect.Semaphore>()
  const slotsOf = (url: string): Effect.Semaphore | undefined => {
    if (options.connections === undefined) return undefined
    const origin = URL.canParse(url) ? new URL(url).origin : url
    let semaphore = slots.get(origin)
    if (semaphore === undefined) {
      semaphore = Effect.unsafeMakeSemaphore(options.connections)
      slots.set(origin, semaphore)
    }
    return semaphore
  }

  /** Holds a connection slot until `scope` closes; waiting for one is the `pool` phase. */
  const takeSlot = (semaphore: Effect.Semaphore, scope: Scope.Scope, call: Call) =>
    Effect.uninterruptibleMask((restore) =>
      restore(within(semaphore.take(1), call, "pool", (d) => new PoolTimeout(d))).pipe(
        Effect.zipRight(Scope.addFinalizer(scope, semaphore.release(1)))
      )
    )

  /** Fails when a phase before the response outlives its limit; never succeeds. */
  const watchPhases = (
    phases: Phases,
    call: Call
  ): Effect.Effect<never, ConnectTimeout | WriteTimeout | HeadersTimeout> =>
    within(Deferred.await(phases.connected), call, "connect", (d) => new ConnectTimeout(d)).pipe(
      Effect.zipRight(within(Deferred.await(phases.sent), call, "write", (d) => new WriteTimeout(d))),
      // Waiting for headers is upstream silence too: without a `headers` limit, `chunk` bounds it.
      Effect.zipRight(within(Effect.never, call, headersField(call.policy), (d) => new HeadersTimeout(d)))
    )

  /** One attempt, in a scope of its own: closed at once when the attempt fails, else kept. */
  const attempt = (
    request: HttpClientRequest.HttpClientRequest,
    call: Call
  ): Effect.Effect<HttpClientResponse.HttpClientResponse, AttemptError, Scope.Scope> =>
    Effect.flatMap(
      Effect.scope,
      (parent) =>
        Effect.flatMap(Scope.fork(parent, ExecutionStrategy.sequential), (scope) =>
          Effect.gen(function*() {
            const semaphore = slotsOf(request.url)
            if (semaphore !== undefined) yield* takeSlot(semaphore, scope, call)
            const phases = yield* makePhases
            if (!options.observed) phases.unobserved()
            const undiciOptions = yield* Effect.serviceOption(NodeHttpClient.UndiciRequestOptions)
            const execute = client.execute(options.observed ? piecewise(request) : request).pipe(
              Effect.mapError((error) => toTransportError(error, "request")),
              Effect.provideService(
                NodeHttpClient.UndiciRequestOptions,
                {
                  ...Option.getOrElse(undiciOptions, () => ({})),
                  // Read by the `observePhases` interceptor; undici ignores options it does not know.
                  [phasesKey]: phases
                } as NodeHttpClient.UndiciRequestOptions["Type"]
              ),
              Scope.extend(scope)
            )
            const response = yield* Effect.raceFirst(execute, watchPhases(phases, call))
            if (isSuccess(response.status)) return response
            return yield* Effect.flatMap(
              upstreamHttpError(
                response,
                call.clock.unsafeCurrentTimeMillis(),
                excerptWithin(TimeoutPolicy.limit(call.policy, "chunk"))
              ),
              Effect.fail
            )
          }).pipe(Effect.onError((cause) => Scope.close(scope, Exit.failCause(cause)))))
    )

  /** The attempts, retried as `call.retry` says, within the budget. */
  const open = (
    request: HttpClientRequest.HttpClientRequest,
    call: Call
  ): Effect.Effect<HttpClientResponse.HttpClientResponse, AttemptError, Scope.Scope> => {
    const once = attempt(request, call)
    if (call.retry === undefined) return once
    let attempts = 0
    const schedule = call.retry.pipe(
      Schedule.intersect(Schedule.identity<AttemptError>()),
      Schedule.modifyDelay(([, error], delay) =>
        error._tag === "UpstreamHttpError" && error.retryAfterMillis !== undefined
          ? Duration.max(delay, Duration.millis(error.retryAfterMillis))
          : delay
      ),
      Schedule.delays,
      Schedule.checkEffect((error: AttemptError, delay) =>
        Effect.suspend(() => {
          attempts++
          const delayMillis = Duration.toMillis(delay)
          const fits = Option.match(call.budget, {
            onNone: () => true,
            onSome: (budget) =>
              call.clock.unsafeCurrentTimeMillis() + delayMillis < call.startedAt + Duration.toMillis(budget)
          })
          return fits
            ? Effect.as(call.onRetry({ attempt: attempts, outcome: error.outcome, delayMillis }), true)
            : Effect.succeed(false)
        })
      )
    )
    return Effect.retry(once, { schedule, while: isRetryable })
  }

  const streamWith = <A, B>(
    request: HttpClientRequest.HttpClientRequest,
    options: StreamOptions<A>,
    guard: (
      opening: Effect.Effect<
        Stream.Stream<StreamEvent.StreamEvent<A>, AttemptError | DecodeError>,
        AttemptError | DecodeError,
        Scope.Scope
      >,
      policy: TimeoutPolicy.TimeoutPolicy,
      guardOptions: Guard.GuardOptions
    ) => Stream.Stream<B, StreamError>
  ): Stream.Stream<B, StreamError, RequestProfile.RequestProfile> =>
    Stream.unwrapScoped(Effect.gen(function*() {
      const profile = yield* RequestProfile.RequestProfile
      const observer = yield* StreamObserver.StreamObserver
      const clock = yield* Effect.clock
      const startedAt = clock.unsafeCurrentTimeMillis()
      const policy = TimeoutPolicy.merge(profile.policy, options.policy ?? {})
      const labels = { profile: profile.name, dialect: options.dialect.name, ...options.labels }
      const span = yield* Effect.makeSpanScoped("LlmClient.stream", {
        kind: "client",
        attributes: { "streamguard.dialect": options.dialect.name, "streamguard.profile": profile.name }
      })
      // The guard names the stream (`StreamInfo`) when it starts; retries are told under that name.
      let info: StreamObserver.StreamInfo | undefined
      const told: StreamObserver.Service = {
        ...observer,
        started: (stream) => {
          info = stream
          return observer.started(stream)
        },
        ended: (stream, ended) => {
          span.attribute("streamguard.outcome", ended.outcome)
          return observer.ended(stream, ended)
        }
      }
      const call: Call = {
        policy,
        clock,
        startedAt,
        budget: TimeoutPolicy.limit(policy, "total"),
        retry: options.retry,
        onRetry: (retrying) => info === undefined ? Effect.void : observer.retrying(info, retrying)
      }
      // Opening is the guard's opening phase: `total` and `firstChunk` count from the start, the
      // idle timers from the response, and the observer hears a stream that never got one, too.
      const opening = Effect.map(open(request, call), (response) =>
        options.dialect.decode(
          Stream.mapError(response.stream, (error) => toTransportError(error, "response")),
          options.decode
        ))
      return guard(opening, policy, { startedAt, labels }).pipe(
        Stream.provideService(StreamObserver.StreamObserver, told),
        Stream.provideService(Tracer.ParentSpan, span)
      )
    }))

  const batchWith = Effect.fn("LlmClient.batch")(function*(
    request: HttpClientRequest.HttpClientRequest,
    options?: BatchOptions
  ) {
    const profile = yield* RequestProfile.RequestProfile
    const clock = yield* Effect.clock
    const policy = TimeoutPolicy.merge(profile.policy, options?.policy ?? {})
    yield* Effect.annotateCurrentSpan("streamguard.profile", profile.name)
    const call: Call = {
      policy,
      clock,
      startedAt: clock.unsafeCurrentTimeMillis(),
      budget: TimeoutPolicy.limit(policy, "request"),
      retry: options?.retry,
      onRetry: (retrying) => Effect.logDebug("LlmClient.batch retrying", retrying)
    }
    const run = Effect.scoped(Effect.gen(function*() {
      const response = yield* open(request, call)
      const text = yield* Effect.mapError(
        response.text,
        (error: HttpClientError.ResponseError) => toTransportError(error, "response")
      )
      return new BatchResponse({ status: response.status, headers: { ...response.headers }, text })
    }))
    return yield* within(run, call, "request", (d) => new RequestTimeout(d)).pipe(
      Effect.tapErrorCause((cause: Cause.Cause<BatchError>) =>
        Effect.annotateCurrentSpan("streamguard.outcome", outcomeOf(cause))
      ),
      Effect.tap(() => Effect.annotateCurrentSpan("streamguard.outcome", "done"))
    )
  })

  return LlmClient.of({
    stream: <A>(request: HttpClientRequest.HttpClientRequest, options: StreamOptions<A>) =>
      streamWith(
        request,
        options,
        (opening, policy, guardOptions) =>
          Guard.guardOpening<A, AttemptError | DecodeError, never, Scope.Scope>(opening, policy, guardOptions)
      ),
    streamEvents: <A>(request: HttpClientRequest.HttpClientRequest, options: StreamOptions<A>) =>
      streamWith(
        request,
        options,
        (opening, policy, guardOptions) =>
          Guard.guardEventsOpening<A, AttemptError | DecodeError, never, Scope.Scope>(opening, policy, guardOptions)
      ),
    batch: batchWith
  })
}

const outcomeOf = (cause: Cause.Cause<BatchError>): string =>
  Option.match(Cause.failureOption(cause), { onNone: () => "interrupted", onSome: (error) => error.outcome })
