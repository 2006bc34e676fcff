/**
 * An `HttpClient` that guards every response passing through it by the current request's
 * `RequestProfile`: put it under `@effect/ai`'s provider clients and a user's unchanged
 * `LanguageModel.streamText` code gets streams that end in one known way, with the socket closed.
 *
 * - Waiting for the response's headers is bounded by `headers`, and for a streamed request by
 *   `firstChunk` and `total` too (all counted from the request's start); for a request that is not
 *   streamed, by `request`.
 * - A streamed body (`text/event-stream`, NDJSON) is guarded event by event, however the network
 *   cut them into reads (an error's `chunks` counts content events): `firstChunk`, `chunk`,
 *   `progress` and `total`, the provider's end signal ends it and its error event fails it; the
 *   bytes reach the SDK as they came. Any decision closes the connection at once.
 * - Any other body (a whole answer, an error body) is bounded as a whole: by `request` for a
 *   request that is not streamed, by `firstChunk` and `total` for one that is.
 *
 * A failure is StreamGuard's own typed error (`ChunkTimeout`, `HeadersTimeout`,
 * `UpstreamErrorSignal`, ...), which passes through `@effect/ai` untouched: the platform's
 * `HttpClientError` type has no room for it, so catch it with `isGuardedError` or by its tag.
 *
 * @since 0.1.0
 */
import * as HttpClient from "@effect/platform/HttpClient"
import * as UrlParams from "@effect/platform/UrlParams"
import * as Guard from "@streamguard/core-effect3/Guard"
import * as GuardError from "@streamguard/core-effect3/GuardError"
import * as Profiles from "@streamguard/core-effect3/Profiles"
import * as RequestProfile from "@streamguard/core-effect3/RequestProfile"
import * as TimeoutError from "@streamguard/core-effect3/TimeoutError"
import * as TimeoutPolicy from "@streamguard/core-effect3/TimeoutPolicy"
import * as StreamedRequest from "@streamguard/kernel/ai/StreamedRequest"
import * as WireReader from "@streamguard/kernel/ai/WireReader"
import * as ProtocolError from "@streamguard/protocols-effect3/ProtocolError"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import { GuardedResponse } from "./internal/guardedResponse.js"
import * as WireEvents from "./internal/wireEvents.js"

/**
 * @since 0.1.0
 * @category models
 */
export interface Options {
  /** The policy of a request made where no `RequestProfile` is provided. Default: the `chat` profile's. */
  readonly policy?: TimeoutPolicy.TimeoutPolicy | undefined
}

/**
 * What a guarded response can fail with besides the platform's errors.
 *
 * @since 0.1.0
 * @category errors
 */
export type GuardedError =
  | GuardError.GuardError
  | TimeoutError.HeadersTimeout
  | TimeoutError.RequestTimeout
  | ProtocolError.ProtocolError
  | ProtocolError.EventTooLarge

/**
 * Whether a failure is one of StreamGuard's (see `GuardedError`).
 *
 * @since 0.1.0
 * @category errors
 */
export const isGuardedError = (u: unknown): u is GuardedError =>
  GuardError.isGuardError(u) || TimeoutError.isTimeoutError(u) ||
  u instanceof ProtocolError.ProtocolError ||
  u instanceof ProtocolError.EventTooLarge

const timeouts = {
  headers: TimeoutError.HeadersTimeout,
  request: TimeoutError.RequestTimeout,
  firstChunk: TimeoutError.FirstChunkTimeout,
  total: TimeoutError.TotalTimeout
} as const

/** A policy's limit of `field` in millis, `undefined` when it has none. */
const millisOf = (policy: TimeoutPolicy.TimeoutPolicy, field: TimeoutPolicy.Field): number | undefined =>
  Option.getOrUndefined(Option.map(TimeoutPolicy.limit(policy, field), Duration.toMillis))

/**
 * Runs `effect` until the deadline of `fields`' limits, counted from `startedAt`; past it, fails
 * with that limit's timeout.
 */
const within = <A, E, R>(
  effect: Effect.Effect<A, E, R>,
  policy: TimeoutPolicy.TimeoutPolicy,
  fields: ReadonlyArray<StreamedRequest.Limited>,
  startedAt: number
): Effect.Effect<A, E | TimeoutError.TimeoutError, R> =>
  Effect.flatMap(Effect.clock, (clock) => {
    const deadline = StreamedRequest.deadline((field) => millisOf(policy, field), fields, startedAt)
    if (deadline === undefined) return effect
    return Effect.timeoutFail(effect, {
      duration: Duration.millis(deadline.remainingMillis(clock.unsafeCurrentTimeMillis())),
      onTimeout: () => new timeouts[deadline.field](deadline.details(clock.unsafeCurrentTimeMillis()))
    })
  })

/**
 * Guards every response of `client` (see the module's description).
 *
 * @since 0.1.0
 * @category combinators
 */
export const guard = (options: Options = {}) => <E, R>(client: HttpClient.HttpClient.With<E, R>) =>
  HttpClient.transform(client, (execute, request) =>
    Effect.gen(function*() {
      const profile = yield* Effect.serviceOption(RequestProfile.RequestProfile)
      const policy = Option.match(profile, {
        onNone: () => options.policy ?? Profiles.builtins.chat,
        onSome: (profile) => profile.policy
      })
      const startedAt = (yield* Effect.clock).unsafeCurrentTimeMillis()
      const streamed = StreamedRequest.isStreamed(request)
      const response = yield* within(
        execute,
        policy,
        StreamedRequest.headerLimits(streamed),
        startedAt
      )
      const contentType = response.headers["content-type"] ?? ""
      if (StreamedRequest.readsEvents(streamed, response.status, contentType)) {
        const path = StreamedRequest.pathOf(request.url, UrlParams.toString(request.urlParams))
        const { events, kinds } = WireEvents.fromBody(response.stream, contentType, path)
        const stream = events.pipe(
          Guard.guardEvents(policy, { startedAt, isPing: kinds.isPing, isReasoning: kinds.isReasoning }),
          Stream.filterMap((event) => Option.fromNullable(WireReader.bytesOf(event)))
        )
        return new GuardedResponse(response, { _tag: "Stream", stream })
      }
      return new GuardedResponse(response, {
        _tag: "Whole",
        bound: (read) => within(read, policy, StreamedRequest.wholeBodyLimits(streamed), startedAt) as typeof read
      })
    }))

/**
 * `guard` as `@effect/ai`'s provider clients take it:
 * `OpenAiClient.layer({ apiKey, transformClient: GuardedHttpClient.transformClient() })`.
 *
 * @since 0.1.0
 * @category combinators
 */
export const transformClient = (options: Options = {}) => (client: HttpClient.HttpClient): HttpClient.HttpClient =>
  // The guarded client fails with StreamGuard's typed errors too (see `GuardedError`).
  guard(options)(client) as HttpClient.HttpClient

/**
 * The `HttpClient` in context, guarded: provide it between `@effect/ai`'s client layer and the
 * platform's (`OpenAiClient.layer(...).pipe(Layer.provide(GuardedHttpClient.layer()),
 * Layer.provide(NodeHttpClient.layerUndici))`).
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (options: Options = {}): Layer.Layer<HttpClient.HttpClient, never, HttpClient.HttpClient> =>
  Layer.effect(HttpClient.HttpClient, Effect.map(HttpClient.HttpClient, transformClient(options)))
