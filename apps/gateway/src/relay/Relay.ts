/**
 * The relay: forwards a guarded upstream stream to the client in the same dialect, one write per
 * network read, with keep-alive comments during upstream silence, one error event when a started
 * stream fails, and the client's `DisconnectPolicy` when it leaves.
 *
 * The request's own fiber pulls the upstream and writes each pull to the client's socket, waiting
 * for it to drain when it is full, so a slow client slows the upstream down (the guard pauses its
 * socket). The keep-alives are the guard's heartbeat, written straight to the socket without waking
 * the fiber, and the shutdown is the guard's abort signal: an idle stream costs its request, the
 * guard's state and nothing more, no timer and no fiber of its own.
 *
 * `stream` reads top-down: the request's record, its admission, the attempts, the answer. What the
 * request comes to (the status, the attempts, their ends, the log line) is its
 * `RelayRecord`, which the attempts report to; `Failover` picks the route's upstream that
 * serves (fallbacks and hedges, before any content); the body's bytes, and the meter of what they
 * delivered, are `internal/relayBody`'s.
 *
 * Why the Node response by hand, not the platform's streaming body: that body runs in a fiber of
 * its own with its own scope and channel, which doubles what an idle stream costs.
 *
 * @since 0.1.0
 */
import { HttpServerRequest } from "@effect/platform"
import type { HttpServerResponse } from "@effect/platform"
import { NodeHttpServerRequest } from "@effect/platform-node"
import { LlmClient } from "@streamguard/client-effect3"
import { RequestProfile, StreamObserver } from "@streamguard/core-effect3"
import type { Dialect } from "@streamguard/protocols-effect3"
import type { Array as Arr, Duration, Option } from "effect"
import { Effect, Either, Scope } from "effect"
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
 * @category services
 */
export class Relay extends Effect.Service<Relay>()("gateway/Relay", {
  effect: Effect.gen(function*() {
    const config = yield* GatewayConfig
    const lifecycle = yield* Lifecycle
    const admission = yield* Admission
    const client = yield* LlmClient.LlmClient
    /** The streams in flight and the recent ends, for the live view (`/streams`). */
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

    /**
     * Relays one stream in the request's scope. Nothing is decided while the request waits for
     * admission and for the upstream's answer (its 2xx headers): a refusal or an upstream error
     * status there keeps its own status, as a JSON error. Once the upstream answered, the first
     * frame, or the first keep-alive after `keepaliveInterval` of silence, commits a 200 event
     * stream, and a later failure becomes the in-band error event.
     */
    // Untraced: a span per request would stay in memory for the stream's whole life.
    const stream: <A>(
      request: StreamRequest<A>
    ) => Effect.Effect<
      HttpServerResponse.HttpServerResponse,
      never,
      Scope.Scope | HttpServerRequest.HttpServerRequest
    > = Effect.fnUntraced(function*<A>(request: StreamRequest<A>) {
      const record = new RelayRecord(
        request,
        NodeHttpServerRequest.toServerResponse(yield* HttpServerRequest.HttpServerRequest),
        { ...shared, clock: yield* Effect.clock, ambient: yield* StreamObserver.StreamObserver }
      )
      // Registered first, so it runs last: once the upstream has closed (or its drain began). The
      // stream is in the live view from here to its log line, entered with the finalizer at once.
      yield* Effect.acquireRelease(
        Effect.sync(() => record.enter()),
        () => Effect.forkIn(record.logLine, lifecycle.scope)
      )
      yield* lifecycle.track
      // The upstreams and the admission live in a scope of their own, closed by the request's end:
      // with the request when it completed, as interrupted when the client left (`cancel`), or
      // after the drain window (`drain`), which outlives the request in the gateway's scope.
      const upstream = yield* DisconnectPolicy.upstreamScope(request.onDisconnect, lifecycle.scope)
      // Runs when the request ends, whichever way: the client leaving applies its policy.
      yield* Effect.addFinalizer((exit) => record.ended(exit, upstream))

      const withProfile = Effect.provideService(RequestProfile.RequestProfile, request.profile)
      const admitted = yield* Effect.either(withProfile(Scope.extend(admission.admit(request.admitTo), upstream)))
      if (Either.isLeft(admitted)) return record.answer(admitted.left)
      const started = yield* Failover.start<A>(request, record, upstream).pipe(
        withProfile,
        Effect.provideService(LlmClient.LlmClient, client),
        Effect.either
      )
      if (Either.isLeft(started)) return record.exhausted(started.left)
      return yield* record.relay(started.right)
    })

    return { stream, inFlight } as const
  })
}) {}
