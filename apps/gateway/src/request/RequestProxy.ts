/**
 * One proxied request, from the client's HTTP request to the upstream and back: auth, body
 * checks, routing, profile, then the relay (stream) or a batch call, each of which admits the
 * request against its route's first upstream (admission holds its slots as long as the upstream
 * runs, and answers a refusal with the request's one log line).
 *
 * @since 0.1.0
 */
import type { Dialect } from "@streamguard/protocols"
import { Anthropic, OpenAiChat, OpenAiResponses } from "@streamguard/protocols"
import { Array as Arr, Context, Effect, Layer, Option, Result } from "effect"
import type { Scope } from "effect"
import { HttpServerRequest } from "effect/http/HttpServerRequest"
import * as HttpServerResponse from "effect/http/HttpServerResponse"
import { randomUUID } from "node:crypto"
import type { Endpoint } from "../api/Endpoint.js"
import * as ErrorResponse from "../api/ErrorResponse.js"
import { GatewayConfig } from "../config/Config.js"
import type * as Route from "../config/Route.js"
import { Lifecycle } from "../lifecycle/Lifecycle.js"
import type * as Attempt from "../relay/Attempt.js"
import { Batch } from "../relay/Batch.js"
import * as DisconnectPolicy from "../relay/DisconnectPolicy.js"
import { Relay } from "../relay/Relay.js"
import * as Metrics from "../telemetry/Metrics.js"
import { Auth } from "./Auth.js"
import { GatewayProfiles, header as profileHeader } from "./GatewayProfiles.js"
import { ModelRouter } from "./ModelRouter.js"
import * as RequestBody from "./RequestBody.js"
import * as UpstreamRequest from "./UpstreamRequest.js"

/**
 * What differs between the three proxied endpoints.
 *
 * @since 0.1.0
 * @category models
 */
export interface EndpointSpec<A> {
  readonly endpoint: Endpoint
  /** The path under the upstream's `baseUrl` (which ends in `/v1`, as in the SDKs). */
  readonly path: string
  readonly dialect: Dialect.Dialect<A>
  /** What the body must hold (`RequestBody.check`). */
  readonly body: RequestBody.Shape<RequestBody.Body>
}

/**
 * @since 0.1.0
 * @category endpoints
 */
export const chat: EndpointSpec<unknown> = {
  endpoint: "openaiChat",
  path: "/chat/completions",
  dialect: OpenAiChat.openaiChat as Dialect.Dialect<unknown>,
  body: RequestBody.ChatBody
}

/**
 * @since 0.1.0
 * @category endpoints
 */
export const responses: EndpointSpec<unknown> = {
  endpoint: "openaiResponses",
  path: "/responses",
  dialect: OpenAiResponses.openaiResponses as Dialect.Dialect<unknown>,
  body: RequestBody.ResponsesBody
}

/**
 * @since 0.1.0
 * @category endpoints
 */
export const messages: EndpointSpec<unknown> = {
  endpoint: "anthropic",
  path: "/messages",
  dialect: Anthropic.anthropic as Dialect.Dialect<unknown>,
  body: RequestBody.MessagesBody
}

/** Each of the route's targets with the request its upstream is sent: its key, its model, the body. */
const targetsOf = (
  spec: EndpointSpec<unknown>,
  route: Route.Route,
  config: GatewayConfig["Service"],
  headers: HttpServerRequest["headers"],
  raw: RequestBody.Checked<RequestBody.Body>["raw"],
  stream: boolean
): Arr.NonEmptyArray<Attempt.Target> =>
  Arr.map(route.targets, (target): Attempt.Target => ({
    upstream: target.upstream.name,
    request: UpstreamRequest.make(
      spec,
      target.upstream,
      Option.fromUndefinedOr(config.upstreamKeys.get(target.upstream.name)),
      headers,
      Option.match(target.model, { onNone: () => raw, onSome: (model) => UpstreamRequest.withModel(raw, model) }),
      stream
    )
  }))

/**
 * @since 0.1.0
 * @category services
 */
export class RequestProxy extends Context.Service<RequestProxy>()("gateway/RequestProxy", {
  make: Effect.gen(function*() {
    const config = yield* GatewayConfig
    const auth = yield* Auth
    const router = yield* ModelRouter
    const profiles = yield* GatewayProfiles
    const relay = yield* Relay
    const batch = yield* Batch
    const lifecycle = yield* Lifecycle

    // The checks, up to the call that answers: a refusal, or the relay or batch call, returned
    // (not run) so that this generator ends before it runs, and what only the checks needed (the
    // parsed body above all) is not held for the stream's whole life.
    const answer = Effect.fnUntraced(function*(spec: EndpointSpec<unknown>) {
      const request = yield* HttpServerRequest
      const requestId = request.headers["x-request-id"] ?? randomUUID()
      const fail = (error: ErrorResponse.GatewayError) => Effect.succeed(refusal(spec, requestId, error))

      if (!(yield* lifecycle.accepting)) return fail(ErrorResponse.shuttingDown())
      if (!auth.check(request.headers)) return fail(ErrorResponse.unauthorized())

      const checked = yield* Effect.result(RequestBody.read(spec.body, config.maxBodyBytes))
      if (Result.isFailure(checked)) return fail(checked.failure)
      const { body, raw }: RequestBody.Checked<RequestBody.Body> = checked.success

      const route = router.route(body.model, spec.endpoint)
      if (Option.isNone(route)) return fail(ErrorResponse.modelNotFound(body.model, spec.endpoint))
      // The route's first upstream picks the default profile, and the request is admitted against its limits.
      const first = route.value.targets[0].upstream

      const profile = profiles.select(request.headers[profileHeader], first)
      if (Result.isFailure(profile)) return fail(profile.failure)

      const onDisconnect = DisconnectPolicy.parse(request.headers[DisconnectPolicy.header])
      if (Result.isFailure(onDisconnect)) return fail(onDisconnect.failure)

      const stream = body.stream === true
      const targets = targetsOf(spec, route.value, config, request.headers, raw, stream)
      const log = {
        requestId,
        endpoint: spec.endpoint,
        profile: profile.success.name,
        upstream: first.name,
        model: body.model
      }
      if (!stream) {
        return batch.call({ endpoint: spec.endpoint, targets, profile: profile.success, admitTo: first, log })
      }
      const relayed = relay.stream({
        endpoint: spec.endpoint,
        dialect: spec.dialect,
        targets,
        hedgeAfter: route.value.hedgeAfter,
        maxHedges: route.value.maxHedges,
        profile: profile.success,
        admitTo: first,
        onDisconnect: onDisconnect.success,
        log
      })
      // Once a stream's response has ended, the rest (the upstream's close, the request's
      // finalizers, its log line and metrics) waits for the event loop's next turn: the reads
      // already waiting, other streams' chunks, are relayed first.
      return Effect.tap(relayed, () => Effect.yieldNow)
    })

    const handle = (
      spec: EndpointSpec<unknown>
    ): Effect.Effect<HttpServerResponse.HttpServerResponse, never, HttpServerRequest | Scope.Scope> =>
      Effect.tap(Effect.flatten(answer(spec)), (response) => Metrics.requestsBy(spec.endpoint, response.status))

    return { handle } as const
  })
}) {
  /**
   * The proxy on the gateway's services.
   *
   * @since 0.1.0
   */
  static readonly layer: Layer.Layer<
    RequestProxy,
    never,
    GatewayConfig | Auth | ModelRouter | GatewayProfiles | Relay | Batch | Lifecycle
  > = Layer.effect(RequestProxy, RequestProxy.make)
}

/** A request refused before it was relayed: the JSON error, with the request's id. */
const refusal = (
  spec: EndpointSpec<unknown>,
  requestId: string,
  error: ErrorResponse.GatewayError
): HttpServerResponse.HttpServerResponse =>
  ErrorResponse.toResponse(spec.endpoint, error).pipe(
    HttpServerResponse.setHeader("x-request-id", requestId),
    // A refused body may still be arriving: do not keep reading it on this connection.
    error.status === 413 ? HttpServerResponse.setHeader("connection", "close") : (r) => r
  )
