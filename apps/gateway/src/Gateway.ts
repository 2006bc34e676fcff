/**
 * The whole gateway as one layer: the Node HTTP server (with slowloris timeouts, a listen backlog
 * for bursts of new connections, a JSON reason for requests Node's parser refuses), the routes,
 * the app services, and the graceful shutdown when the layer's scope closes.
 *
 * @since 0.1.0
 */
import { NodeHttpServer } from "@effect/platform-node"
import { LlmClient } from "@streamguard/client"
import { StreamMetrics } from "@streamguard/core"
import { Cause, Context, Duration, Effect, Layer, Option } from "effect"
import { HttpRouter, HttpServer, HttpServerError } from "effect/http"
import * as Http from "node:http"
import { Admission } from "./admission/Admission.js"
import * as ErrorResponse from "./api/ErrorResponse.js"
import type { GatewayConfigShape } from "./config/Config.js"
import { GatewayConfig } from "./config/Config.js"
import type { ConfigLoadError } from "./config/ConfigLoadError.js"
import { Lifecycle } from "./lifecycle/Lifecycle.js"
import * as StopSignals from "./lifecycle/StopSignals.js"
import { Batch } from "./relay/Batch.js"
import { Relay } from "./relay/Relay.js"
import { Auth } from "./request/Auth.js"
import { GatewayProfiles } from "./request/GatewayProfiles.js"
import { ModelRouter } from "./request/ModelRouter.js"
import { RequestProxy } from "./request/RequestProxy.js"
import * as Health from "./server/Health.js"
import { onClientError } from "./server/internal/clientError.js"
import * as Models from "./server/Models.js"
import * as Proxied from "./server/Proxied.js"
import * as Streams from "./server/Streams.js"
import * as RequestSpan from "./telemetry/RequestSpan.js"
import * as Telemetry from "./telemetry/Telemetry.js"

/**
 * A route whose failures and defects become a 500 with an OpenAI-shaped body, logged with the
 * route's path: nothing a client sends turns into a 500 with a stack trace. A client that left
 * (an interruption) is not a failure.
 */
const guarded = <E, R>(route: HttpRouter.Route<E, R>): HttpRouter.Route<never, R> =>
  HttpRouter.route(
    route.method,
    route.path,
    Effect.catchCauseIf(route.handler, (cause) => !Cause.hasInterruptsOnly(cause), (cause) =>
      Effect.gen(function*() {
        yield* Effect.logError("unhandled failure in a route").pipe(Effect.annotateLogs({ route: route.path }))
        yield* Effect.logDebug(cause)
        return ErrorResponse.toResponse(
          "openaiChat",
          new ErrorResponse.GatewayError({
            status: 500,
            type: "internal_error",
            code: "internal_error",
            detail: "internal error"
          })
        )
      })),
    { uninterruptible: route.uninterruptible }
  ) as HttpRouter.Route<never, R>

/**
 * What the routes read from the gateway's services.
 *
 * @since 0.1.0
 * @category routes
 */
export type RouteServices =
  | RequestProxy
  | Auth
  | ModelRouter
  | Lifecycle
  | Admission
  | Relay
  | GatewayConfig
  | Telemetry.Telemetry

/**
 * Every route of the gateway, each guarded as above.
 *
 * @since 0.1.0
 * @category routes
 */
export const routes: ReadonlyArray<HttpRouter.Route<never, RouteServices>> = (
  [...Proxied.routes, ...Models.routes, ...Health.routes, ...Streams.routes] as ReadonlyArray<
    HttpRouter.Route<unknown, RouteServices>
  >
).map(guarded)

/**
 * The routes as one handler of the request in context; an unknown path is a 404 with an
 * OpenAI-shaped body.
 *
 * @since 0.1.0
 * @category routes
 */
export const app = Effect.map(
  HttpRouter.toHttpEffect(HttpRouter.addAll(routes)),
  (handler) =>
    Effect.catchIf(
      handler,
      (error): error is HttpServerError.HttpServerError =>
        HttpServerError.isHttpServerError(error) && error.reason._tag === "RouteNotFound",
      (error) => Effect.succeed(ErrorResponse.toResponse("openaiChat", ErrorResponse.notFound(error.request.url)))
    )
)

/**
 * How many connections the kernel holds for the gateway before it accepts them (`listen`'s
 * backlog; Linux caps it at `net.core.somaxconn`, 4096 by default since 5.4). Node's default,
 * 511, overflows when a burst of clients connects faster than a busy event loop accepts them:
 * the kernel then drops their handshakes, and they see connect timeouts or resets with no
 * response. A connection waiting in a longer queue is merely accepted a little later.
 *
 * @since 0.1.0
 * @category constants
 */
export const listenBacklog = 4096

/**
 * The Node server, kept so shutdown can stop listening and cut idle connections. Its header
 * and whole-request timeouts cut slow or stalled clients (slowloris) before any handler runs;
 * a request its parser refuses (bad framing, headers over Node's limit) gets the status Node
 * would send with a JSON reason.
 *
 * @since 0.1.0
 * @category services
 */
export class NodeServer extends Context.Service<NodeServer, { readonly server: Http.Server }>()("gateway/NodeServer") {
  /** The server, configured from the gateway's settings (not listening yet). */
  static readonly layer: Layer.Layer<NodeServer, never, GatewayConfig> = Layer.effect(
    NodeServer,
    Effect.map(GatewayConfig, (config) => {
      const body = Math.max(1, Duration.toMillis(config.bodyTimeout))
      // Node requires headersTimeout <= requestTimeout.
      const headers = Math.min(body, Math.max(1, Duration.toMillis(config.headersTimeout)))
      const server = Http.createServer({
        headersTimeout: headers,
        requestTimeout: body,
        // How often Node checks those timeouts (default 30 s, far too coarse for short limits).
        connectionsCheckingInterval: Math.max(10, Math.min(1000, Math.floor(headers / 4)))
      })
      server.on("clientError", onClientError)
      return NodeServer.of({ server })
    })
  )
}

const services = RequestProxy.layer.pipe(
  Layer.provideMerge(Layer.merge(Relay.layer, Batch.layer)),
  Layer.provideMerge(
    Layer.mergeAll(
      Admission.layer,
      Auth.layer,
      Lifecycle.layer,
      Telemetry.streamLog,
      ModelRouter.layer,
      GatewayProfiles.layer
    )
  )
)

/**
 * Serves the routes and, when the scope closes, drains before they stop: the drain's finalizer is
 * added after the server's request handler, so it runs first. While streams drain the gateway
 * still listens and answers: `/readyz` says 503 (so the load balancer stops sending), a request
 * that still arrives gets 503 `shutting_down` with `retry-after` (an answer it can retry
 * elsewhere, not a refused connection), and streams in flight finish. Then the listener closes
 * and every connection left is cut.
 *
 * No middleware and no Effect tracer: each request is one fiber running the router's handler, and
 * the gateway writes its own end line (the platform's logger would add a log line and an effect
 * per request, and its spans would hold memory for a stream's whole life).
 */
const serveAndDrain = Layer.effectDiscard(
  Effect.gen(function*() {
    const lifecycle = yield* Lifecycle
    const node = yield* NodeServer
    const telemetry = yield* Telemetry.Telemetry
    const handler = yield* app
    // Traces on: each request gathers its span's phases. Off: nothing per request.
    yield* HttpServer.serveEffect(Option.isSome(telemetry.tracer) ? RequestSpan.middleware(handler) : handler)
    yield* Effect.addFinalizer(() =>
      Effect.andThen(
        lifecycle.shutdown,
        Effect.sync(() => {
          node.server.close()
          node.server.closeAllConnections()
        })
      )
    )
  })
)

const make = (
  config: GatewayConfigShape,
  telemetry: Layer.Layer<Telemetry.Telemetry, ConfigLoadError>,
  underDrain: Layer.Layer<never, never, Lifecycle>
): Layer.Layer<HttpServer.HttpServer, HttpServerError.ServeError | ConfigLoadError> => {
  const server = Layer.unwrap(
    Effect.map(
      NodeServer,
      (node) =>
        NodeHttpServer.layerServer(() => node.server, { port: config.port, host: config.host, backlog: listenBacklog })
    )
  )
  // Built before the server and the drain, so released after them.
  const served = serveAndDrain.pipe(Layer.provideMerge(server), Layer.provide(underDrain))
  return served.pipe(
    Layer.provide(services),
    Layer.provide(telemetry),
    Layer.provide(NodeServer.layer),
    Layer.provide(LlmClient.layerUndici()),
    Layer.provide(StreamMetrics.layer),
    Layer.provide(GatewayConfig.make(config))
  )
}

/**
 * The gateway serving `config`, with its HTTP server in the context (read its address for the
 * port when `config.port` is 0). Its metrics and traces are `telemetry`'s: by default as the OpenTelemetry environment variables say
 * (`Telemetry.layerConfig`). It leaves the process's signals alone: closing its scope drains.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (
  config: GatewayConfigShape,
  telemetry: Layer.Layer<Telemetry.Telemetry, ConfigLoadError> = Telemetry.layerConfig
): Layer.Layer<HttpServer.HttpServer, HttpServerError.ServeError | ConfigLoadError> =>
  make(config, telemetry, Layer.empty)

/**
 * `layer` for a gateway that is its process's main program, run by `NodeRuntime.runMain`: the
 * first SIGTERM or SIGINT drains it, and those that follow while it drains are logged and
 * ignored (`StopSignals.layer`).
 *
 * @since 0.1.0
 * @category layers
 */
export const layerMain = (
  config: GatewayConfigShape,
  telemetry: Layer.Layer<Telemetry.Telemetry, ConfigLoadError> = Telemetry.layerConfig
): Layer.Layer<HttpServer.HttpServer, HttpServerError.ServeError | ConfigLoadError> =>
  make(config, telemetry, StopSignals.layer)
