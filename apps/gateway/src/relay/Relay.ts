/**
 * The relay: forwards a guarded upstream stream to the client in the same dialect, one write per
 * network read, with keep-alive comments during upstream silence, one error event when a started
 * stream fails, and the client's `DisconnectPolicy` when it leaves.
 *
 * The request's own fiber, the only one a stream has, pulls the upstream and writes each pull to
 * the client's socket, waiting for it to drain when it is full, so a slow client slows the upstream
 * down (the guard pauses its socket). Between pulls it is parked in the guard, which wakes it from
 * the socket's callback when a read arrives. The keep-alives are the guard's heartbeat, written
 * straight to the socket without waking the fiber, and the shutdown is the guard's abort signal:
 * an idle stream costs its request, the guard's state and nothing more, no timer and no fiber of
 * its own.
 *
 * `stream` reads top-down: the request's record, its admission, the attempts, the answer. What the
 * request comes to (the status, the attempts, their ends, the log line) is its `RelayRecord`,
 * which the attempts report to and which shows the stream in `InFlight` (the live view's
 * registry, which the relay holds) while it is in flight; `Failover` picks the route's upstream
 * that serves (fallbacks and hedges, before any content); the body's bytes, and the meter of what
 * they delivered, are `internal/relayBody`'s.
 *
 * Why the Node response by hand, not the platform's streaming body: that body is a `Stream` read
 * by the platform, with its own scope and channel and an effect per element; a proxy written both
 * ways on Effect 4 added more latency that way (P99 8-10 ms against 4-8 ms at 100 concurrent
 * streams) and held more memory per idle stream.
 *
 * @since 0.1.0
 */
import { NodeHttpServerRequest } from "@effect/platform-node"
import { LlmClient } from "@streamguard/client"
import { RequestProfile, StreamObserver } from "@streamguard/core"
import type { Dialect } from "@streamguard/protocols"
import type { Array as Arr, Duration, Option } from "effect"
import { Clock, Context, Effect, Layer, Scope } from "effect"
import { HttpServerRequest } from "effect/http"
import type { HttpServerResponse } from "effect/http"
import type * as Http from "node:http"
import { Admission } from "../admission/Admission.js"
import type { Endpoint } from "../api/Endpoint.js"
import { GatewayConfig } from "../config/Config.js"
import type { Upstream } from "../config/Upstream.js"
import { Lifecycle } from "../lifecycle/Lifecycle.js"
import type * as Attempt from "./Attempt.js"
import * as DisconnectPolicy from "./DisconnectPolicy.js"
import * as Failover from "./Failover.js"
import { InFlight } from "./InFlight.js"
import { RelayRecord } from "./RelayRecord.js"
import type * as StreamLog from "./StreamLog.js"
import { StreamLog as StreamLogService } from "./StreamLog.js"

/**
 * One stream to relay.
 *
 * @since 0.1.0
 * @category models
 */
export interface StreamRequest<A> {
  readonly endpoint: Endpoint
  readonly dialect: Dialect.Dialect<A>
  /** The route's upstreams, in order, each with its request (and the gateway's key for it). */
  readonly targets: Arr.NonEmptyReadonlyArray<Attempt.Target>
  /** The route's hedge: start the next upstream beside a slow one after this long. */
  readonly hedgeAfter: Option.Option<Duration.Duration>
  readonly maxHedges: number
  /** The request's profile: its policy guards the upstream stream, and its `pool` limit the admission. */
  readonly profile: RequestProfile.Service
  /** The route's first upstream: the request is admitted against its limits. */
  readonly admitTo: Upstream
  readonly onDisconnect: DisconnectPolicy.DisconnectPolicy
  readonly log: StreamLog.Origin
}

/**
 * @since 0.1.0
 * @category models
 */
export interface Service {
  /**
   * Relays one stream in the request's scope. Nothing is decided while the request waits for
   * admission and for the upstream's answer (its 2xx headers): a refusal or an upstream error
   * status there keeps its own status, as a JSON error. Once the upstream answered, the first
   * frame, or the first keep-alive after `keepaliveInterval` of silence, commits a 200 event
   * stream, and a later failure becomes the in-band error event.
   */
  readonly stream: <A>(
    request: StreamRequest<A>
  ) => Effect.Effect<
    HttpServerResponse.HttpServerResponse,
    never,
    Scope.Scope | HttpServerRequest.HttpServerRequest
  >
  /** The streams in flight and the recent ends: what the live view (`/streams`) is built from. */
  readonly inFlight: InFlight
}

const make = Effect.gen(function*() {
  const config = yield* GatewayConfig
  const lifecycle = yield* Lifecycle
  const admission = yield* Admission
  const client = yield* LlmClient.LlmClient
  const inFlight = new InFlight()
  const shared = {
    secrets: [...config.upstreamKeys.values()],
    keepaliveInterval: config.keepaliveInterval,
    drainWindow: config.drainWindow,
    stopSignal: lifecycle.stopSignal,
    gatewayScope: lifecycle.scope,
    log: (yield* StreamLogService).ended,
    inFlight
  }

  // Untraced: a span per request would stay in memory for the stream's whole life.
  const stream = Effect.fnUntraced(function*<A>(request: StreamRequest<A>) {
    const record = new RelayRecord(
      request,
      NodeHttpServerRequest.toServerResponse(yield* HttpServerRequest.HttpServerRequest) as Http.ServerResponse,
      { ...shared, clock: yield* Clock.Clock, ambient: yield* StreamObserver.StreamObserver }
    )
    // The stream is in the live view from here to its log line: entered with the line's
    // finalizer at once, which is registered first, so it runs last: once the upstream has closed
    // (or its drain began). In the request's context, which the line's telemetry reads (the
    // request's span). A drained upstream ends after the request: its line waits for it in a
    // fiber of the gateway's scope; any other is written at once.
    yield* Effect.acquireRelease(
      Effect.sync(() => record.enter()),
      () => record.draining ? Effect.asVoid(Effect.forkIn(record.logLine, lifecycle.scope)) : record.logLine
    )
    yield* lifecycle.track
    // The upstreams and the admission live in a scope of their own, closed by the request's end:
    // with the request when it completed, as interrupted when the client left (`cancel`), or
    // after the drain window (`drain`), which outlives the request in the gateway's scope.
    const upstream = yield* DisconnectPolicy.upstreamScope(request.onDisconnect, lifecycle.scope)
    // Runs when the request ends, whichever way: the client leaving applies its policy. Added to the
    // request's scope as it is: it reads nothing from the context, which `Effect.addFinalizer` would
    // copy to restore around it.
    yield* Scope.addFinalizerExit(yield* Effect.scope, (exit) => record.ended(exit, upstream))

    const withProfile = Effect.provideService(RequestProfile.RequestProfile, request.profile)
    const admitted = yield* Effect.result(withProfile(Scope.provide(admission.admit(request.admitTo), upstream)))
    if (admitted._tag === "Failure") return record.answer(admitted.failure)
    const started = yield* Failover.start<A>(request, record, upstream).pipe(
      withProfile,
      Effect.provideService(LlmClient.LlmClient, client),
      Effect.result
    )
    if (started._tag === "Failure") return record.exhausted(started.failure)
    return yield* record.relay(started.success)
  })

  return Relay.of({ stream, inFlight })
})

/**
 * @since 0.1.0
 * @category services
 */
export class Relay extends Context.Service<Relay, Service>()("gateway/Relay") {
  /** The relay on the gateway's config, lifecycle, admission, client and end log. */
  static readonly layer: Layer.Layer<
    Relay,
    never,
    GatewayConfig | Lifecycle | Admission | LlmClient.LlmClient | StreamLogService
  > = Layer.effect(Relay, make)
}
