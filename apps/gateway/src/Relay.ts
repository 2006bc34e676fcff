/**
 * The relay: forwards a guarded upstream stream to the client in the same dialect, one write per
 * network read, with keep-alive comments during upstream silence, one error event when a started
 * stream fails, and the client's `DisconnectPolicy` when it leaves.
 *
 * The request's own fiber pulls the upstream and writes each pull to the client's socket, waiting
 * for it to drain when it is full, so a slow client slows the upstream down (the guard pauses its
 * socket). The keep-alives are the guard's heartbeat, written straight to the socket without waking
 * the fiber, and the shutdown is the guard's abort signal: an idle stream costs its request, the
 * guard's state and nothing more, no timer and no fiber of its own. This module decides what
 * happens (admission, the first pull's answer, the end and its log line); the body's bytes are
 * written by `internal/relayBody`.
 *
 * Why the Node response by hand, not the platform's streaming body: that body runs in a fiber of
 * its own with its own scope and channel, which doubles what an idle stream costs.
 *
 * @since 0.1.0
 */
import type { HttpClientRequest } from "@effect/platform"
import { HttpServerRequest, HttpServerResponse } from "@effect/platform"
import { NodeHttpServerRequest } from "@effect/platform-node"
import { LlmClient } from "@streamguard/client"
import { Guard, RequestProfile, StreamObserver } from "@streamguard/core"
import type { Dialect } from "@streamguard/protocols"
import { Cause, Deferred, Duration, Effect, Exit, Option, Scope, Stream } from "effect"
import { GatewayConfig } from "./Config.js"
import * as DisconnectPolicy from "./DisconnectPolicy.js"
import * as ErrorResponse from "./ErrorResponse.js"
import { RelayBody } from "./internal/relayBody.js"
import { Lifecycle } from "./Lifecycle.js"
import type * as StreamLog from "./StreamLog.js"
import { StreamLog as StreamLogService } from "./StreamLog.js"

/**
 * One stream to relay.
 *
 * @since 0.1.0
 * @category models
 */
export interface StreamRequest<A> {
  readonly endpoint: ErrorResponse.Endpoint
  readonly dialect: Dialect.Dialect<A>
  /** The request to the upstream, with the gateway's key for it. */
  readonly upstream: HttpClientRequest.HttpClientRequest
  /** The request's profile: its policy guards the upstream stream. */
  readonly profile: RequestProfile.Service
  /** Takes the admission slots, held until the scope closes. */
  readonly admit: Effect.Effect<void, ErrorResponse.GatewayError, Scope.Scope>
  readonly onDisconnect: DisconnectPolicy.DisconnectPolicy
  readonly log: StreamLog.Origin
}

/** What one relay has come to, for its log line. */
interface State {
  /** The status the client got; 0 until it got one. */
  status: number
  /** The response ended on its own terms (the end, an error event, the shutdown event). */
  completed: boolean
  disconnect: DisconnectPolicy.DisconnectPolicy | undefined
  endedBy: string | undefined
  /** The error's message and type, when the relay answered or ended with one. */
  error: string | undefined
  outcome: string | undefined
}

/**
 * @since 0.1.0
 * @category services
 */
export class Relay extends Effect.Service<Relay>()("gateway/Relay", {
  effect: Effect.gen(function*() {
    const config = yield* GatewayConfig
    const lifecycle = yield* Lifecycle
    const streamLog = yield* StreamLogService
    const client = yield* LlmClient.LlmClient
    const secrets = [...config.upstreamKeys.values()]

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
      const clock = yield* Effect.clock
      const startedAt = clock.unsafeCurrentTimeMillis()
      const failureContext: ErrorResponse.FailureContext = { upstream: request.log.upstream, secrets }
      const state: State = {
        status: 0,
        completed: false,
        disconnect: undefined,
        endedBy: undefined,
        error: undefined,
        outcome: undefined
      }
      const body = new RelayBody(
        NodeHttpServerRequest.toServerResponse(yield* HttpServerRequest.HttpServerRequest),
        request.dialect
      )

      // The guard counts the stream (outcome, chunks, bytes, time to first chunk) and tells its
      // observer once the upstream closed: the log line takes its numbers from there, so it
      // agrees with the metrics the ambient observer keeps.
      const observed = yield* Deferred.make<StreamObserver.Ended>()
      const observer = StreamObserver.combine(yield* StreamObserver.StreamObserver, {
        ...StreamObserver.noopService,
        ended: (_, ended) => Deferred.succeed(observed, ended)
      })
      const upstream = Guard.fromFeedEvents(
        Effect.provideService(
          client.prepare(request.upstream, {
            dialect: request.dialect,
            labels: { upstream: request.log.upstream },
            heartbeat: config.keepaliveInterval,
            // Once the 200 went out, a keep-alive is written here without waking the request.
            onHeartbeat: body.keepalive,
            signal: lifecycle.stopSignal,
            observer
          }),
          RequestProfile.RequestProfile,
          request.profile
        )
      )

      const errorOf = (error: unknown): ErrorResponse.GatewayError => {
        if (isAborted(error)) {
          state.endedBy = "shutdown"
          return ErrorResponse.shuttingDown()
        }
        return ErrorResponse.fromFailure(error, failureContext)
      }

      const logEnd = Effect.suspend(() =>
        Effect.flatMap(
          // A drained upstream ends later; any other has closed by now, if it ever started (a
          // request refused at admission never did).
          state.disconnect === "drain"
            ? Effect.timeoutOption(Deferred.await(observed), Duration.sum(config.drainWindow, Duration.seconds(1)))
            : Effect.flatMap(
              Deferred.isDone(observed),
              (done) => done ? Effect.map(Deferred.await(observed), Option.some) : Effect.succeedNone
            ),
          (seen) => {
            const ended = Option.getOrUndefined(seen)
            return streamLog.ended({
              ...request.log,
              stream: true,
              outcome: ended?.outcome ?? state.outcome ?? "interrupted",
              status: state.status,
              disconnect: state.disconnect,
              endedBy: state.endedBy,
              ttfcMs: ended?.timeToFirstChunkMillis,
              chunks: ended?.chunks ?? 0,
              // The upstream's pings, which the guard's count does not tell from lifecycle frames.
              keepalives: body.pings,
              bytes: ended?.bytes ?? 0,
              durationMs: ended?.durationMillis ?? clock.unsafeCurrentTimeMillis() - startedAt,
              error: state.error
            })
          }
        )
      )
      // Registered first, so it runs last: once the upstream has closed (or its drain began).
      yield* Effect.addFinalizer(() => Effect.forkIn(logEnd, lifecycle.scope))
      yield* lifecycle.track

      // The upstream and its admission live in a scope of their own, closed by the request's end:
      // with the request when it completed, as interrupted when the client left (`cancel`), or
      // after the drain window (`drain`), which outlives the request in the gateway's scope.
      const upstreamScope = yield* DisconnectPolicy.upstreamScope(request.onDisconnect, lifecycle.scope)
      const pull = yield* Scope.extend(Effect.zipRight(request.admit, Stream.toPull(upstream)), upstreamScope).pipe(
        Effect.either
      )

      // Runs when the request ends, whichever way: the client leaving applies the policy.
      yield* Effect.addFinalizer((exit) =>
        Effect.suspend(() => {
          if (state.completed) return Scope.close(upstreamScope, Exit.void)
          state.disconnect = request.onDisconnect
          if (state.status === 0) state.status = 499
          // The moment the gateway saw the client leave, for debugging how long the upstream close took.
          const told = Effect.logDebug("client disconnected").pipe(
            Effect.annotateLogs({ requestId: request.log.requestId, onDisconnect: request.onDisconnect })
          )
          return Effect.zipRight(
            told,
            DisconnectPolicy.release(request.onDisconnect, {
              upstream: upstreamScope,
              pull: pull._tag === "Right" ? Effect.tap(pull.right, body.count) : undefined,
              exit,
              window: config.drainWindow,
              gatewayScope: lifecycle.scope
            })
          )
        })
      )

      const answer = (error: ErrorResponse.GatewayError) => {
        state.completed = true
        state.status = error.status
        state.error = error.message
        state.outcome = error.type
        return ErrorResponse.toResponse(request.endpoint, error).pipe(
          HttpServerResponse.setHeader("x-request-id", request.log.requestId)
        )
      }
      if (pull._tag === "Left") return answer(pull.left)
      const first = yield* Effect.either(pull.right)
      if (first._tag === "Left" && Option.isSome(first.left)) return answer(errorOf(first.left.value))

      // A failure after the 200 is one error event in the client's dialect, then the end.
      const failed = (cause: Cause.Cause<Option.Option<unknown>>) =>
        Effect.suspend(() => {
          const failure = Cause.failureOption(cause)
          if (Option.isSome(failure) && Option.isNone(failure.value)) return Effect.void
          if (Cause.isInterruptedOnly(cause)) return Effect.failCause(cause as Cause.Cause<never>)
          const error = errorOf(
            Option.getOrUndefined(Option.orElse(Option.flatten(failure), () => Cause.dieOption(cause)))
          )
          state.error = error.message
          body.fail(error)
          return Cause.isDie(cause)
            ? Effect.logError("stream failed with a defect").pipe(
              Effect.annotateLogs({
                requestId: request.log.requestId,
                defect: ErrorResponse.scrub(Cause.pretty(cause), secrets)
              })
            )
            : Effect.void
        })

      state.status = 200
      body.start(request.log.requestId)
      const relayed = first._tag === "Right"
        ? Effect.zipRight(body.write(first.right), Effect.forever(Effect.flatMap(pull.right, body.write)))
        : Effect.void
      yield* Effect.catchAllCause(relayed, failed)
      state.completed = true
      body.end()
      // The response is written: the platform sees it ended and adds nothing.
      return HttpServerResponse.empty()
    })

    return { stream } as const
  })
}) {}

const isAborted = (error: unknown): boolean =>
  typeof error === "object" && error !== null && (error as { readonly _tag?: unknown })._tag === "StreamAborted"
