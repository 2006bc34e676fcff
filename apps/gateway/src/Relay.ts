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
 * happens (admission, the first pull's answer, the end and its log line); `Failover` picks the
 * route's upstream that serves (fallbacks and hedges, before any content); the body's bytes, and
 * the count of what they delivered, are written by `internal/relayBody`.
 *
 * Why the Node response by hand, not the platform's streaming body: that body runs in a fiber of
 * its own with its own scope and channel, which doubles what an idle stream costs.
 *
 * @since 0.1.0
 */
import { HttpServerRequest, HttpServerResponse } from "@effect/platform"
import { NodeHttpServerRequest } from "@effect/platform-node"
import { LlmClient } from "@streamguard/client"
import type { StreamEvent } from "@streamguard/core"
import { GuardError, RequestProfile, StreamObserver } from "@streamguard/core"
import type { Dialect } from "@streamguard/protocols"
import type { Array as Arr, Chunk } from "effect"
import { Cause, Deferred, Duration, Effect, Exit, FiberId, Option, Scope } from "effect"
import { GatewayConfig } from "./Config.js"
import * as Delivered from "./Delivered.js"
import * as DisconnectPolicy from "./DisconnectPolicy.js"
import * as ErrorResponse from "./ErrorResponse.js"
import * as Failover from "./Failover.js"
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
  /** The route's upstreams, in order, each with its request (and the gateway's key for it). */
  readonly targets: Arr.NonEmptyReadonlyArray<Failover.Target>
  /** The route's hedge: start the next upstream beside a slow one after this long. */
  readonly hedgeAfter: Option.Option<Duration.Duration>
  readonly maxHedges: number
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
      // Each attempt's guard counts its stream (outcome, chunks, bytes, time to first chunk) and
      // tells its observer once the upstream closed: the log line takes its numbers from the
      // attempt that served (or the last one tried), so it agrees with the ambient observer's metrics.
      const endings = new Map<number, Deferred.Deferred<StreamObserver.Ended>>()
      const ambient = yield* StreamObserver.StreamObserver
      // Which attempts ran, which served, and where the last failure came from.
      const chain: {
        tried: ReadonlyArray<Failover.Attempt>
        served: Failover.Attempt | undefined
        failedAt: string
      } = { tried: [], served: undefined, failedAt: request.log.upstream }
      // The pull a drain reads when the client leaves: the running attempt's, or the winner's.
      let current: Effect.Effect<Chunk.Chunk<StreamEvent.StreamEvent<A>>, unknown> | undefined

      const commit = () => {
        state.status = 200
        body.start(request.log.requestId)
      }
      const plan: Failover.Plan<A> = {
        targets: request.targets,
        dialect: request.dialect,
        hedgeAfter: request.hedgeAfter,
        maxHedges: request.maxHedges,
        options: {
          heartbeat: config.keepaliveInterval,
          // Once the 200 went out, a keep-alive is written here without waking the request.
          onHeartbeat: body.keepalive,
          signal: lifecycle.stopSignal
        },
        observer: (attempt) => {
          const ended = Deferred.unsafeMake<StreamObserver.Ended>(FiberId.none)
          endings.set(attempt.attempt, ended)
          return StreamObserver.combine(ambient, {
            ...StreamObserver.noopService,
            ended: (_, info) => Deferred.succeed(ended, info)
          })
        },
        // The upstream answered and stays silent before content: commit the 200 with a keep-alive
        // comment, which holds no upstream frame, so a fallback can still follow.
        onWaiting: Effect.sync(() => {
          if (state.status === 0) commit()
          body.keepalive()
        }),
        opened: (pull) => {
          current = pull
        }
      }

      const errorOf = (error: unknown, upstream: string): ErrorResponse.GatewayError => {
        if (GuardError.isStreamAborted(error)) {
          state.endedBy = "shutdown"
          return ErrorResponse.shuttingDown()
        }
        return ErrorResponse.fromFailure(error, { upstream, secrets })
      }
      const attemptsOf = () => ({
        upstream: chain.served?.upstream ?? chain.failedAt,
        attempts: chain.tried.length,
        ...(chain.tried.length > 1 ? { tried: chain.tried } : {})
      })

      const logEnd = Effect.suspend(() => {
        const decisive = chain.served ?? chain.tried[chain.tried.length - 1]
        const observed = decisive === undefined ? undefined : endings.get(decisive.attempt)
        return Effect.flatMap(
          observed === undefined
            ? Effect.succeedNone
            // A drained upstream ends later; any other has closed by now, if it ever started (a
            // request refused at admission never did).
            : state.disconnect === "drain"
            ? Effect.timeoutOption(Deferred.await(observed), Duration.sum(config.drainWindow, Duration.seconds(1)))
            : Effect.flatMap(
              Deferred.isDone(observed),
              (done) => done ? Effect.map(Deferred.await(observed), Option.some) : Effect.succeedNone
            ),
          (seen) => {
            const ended = Option.getOrUndefined(seen)
            const usage = body.delivered.snapshot()
            const served = attemptsOf()
            return Effect.zipRight(
              chain.tried.length > 0 ? Delivered.record(usage, served.upstream) : Effect.void,
              streamLog.ended({
                ...request.log,
                ...served,
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
                // Across attempts, the whole request's time; else the guard's, as the metrics have it.
                durationMs: chain.tried.length <= 1 && ended !== undefined
                  ? ended.durationMillis
                  : clock.unsafeCurrentTimeMillis() - startedAt,
                usage,
                error: state.error
              })
            )
          }
        )
      })
      // Registered first, so it runs last: once the upstream has closed (or its drain began).
      yield* Effect.addFinalizer(() => Effect.forkIn(logEnd, lifecycle.scope))
      yield* lifecycle.track

      // The upstreams and the admission live in a scope of their own, closed by the request's end:
      // with the request when it completed, as interrupted when the client left (`cancel`), or
      // after the drain window (`drain`), which outlives the request in the gateway's scope.
      const upstreamScope = yield* DisconnectPolicy.upstreamScope(request.onDisconnect, lifecycle.scope)

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
              pull: current === undefined ? undefined : Effect.tap(current, body.count),
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
      // A failure once the 200 went out is one error event in the client's dialect, then the end.
      const failInBand = (error: ErrorResponse.GatewayError) => {
        state.error = error.message
        body.fail(error, attemptsOf())
      }
      const finish = () => {
        state.completed = true
        body.end()
        // The response is written: the platform sees it ended and adds nothing. It carries the
        // status the client got, for what reads it (the requests metric), not the empty body's 204.
        return HttpServerResponse.empty({ status: state.status })
      }

      const admitted = yield* Effect.either(Scope.extend(request.admit, upstreamScope))
      if (admitted._tag === "Left") return answer(admitted.left)
      const started = yield* Failover.start(plan, upstreamScope).pipe(
        Effect.provideService(RequestProfile.RequestProfile, request.profile),
        Effect.provideService(LlmClient.LlmClient, client),
        Effect.either
      )
      if (started._tag === "Left") {
        chain.tried = started.left.attempts
        chain.failedAt = started.left.upstream
        const error = errorOf(started.left.error, started.left.upstream)
        if (!body.isStarted) return answer(error)
        state.outcome = error.type
        failInBand(error)
        return finish()
      }
      const { events, pull } = started.right
      chain.tried = started.right.attempts
      chain.served = started.right.served
      current = pull

      const failed = (cause: Cause.Cause<Option.Option<unknown>>) =>
        Effect.suspend(() => {
          const failure = Cause.failureOption(cause)
          if (Option.isSome(failure) && Option.isNone(failure.value)) return Effect.void
          if (Cause.isInterruptedOnly(cause)) return Effect.failCause(cause as Cause.Cause<never>)
          failInBand(errorOf(
            Option.getOrUndefined(Option.orElse(Option.flatten(failure), () => Cause.dieOption(cause))),
            chain.served!.upstream
          ))
          return Cause.isDie(cause)
            ? Effect.logError("stream failed with a defect").pipe(
              Effect.annotateLogs({
                requestId: request.log.requestId,
                defect: ErrorResponse.scrub(Cause.pretty(cause), secrets)
              })
            )
            : Effect.void
        })

      if (!body.isStarted) commit()
      yield* Effect.catchAllCause(
        Effect.zipRight(body.write(events), Effect.forever(Effect.flatMap(pull, body.write))),
        failed
      )
      return finish()
    })

    return { stream } as const
  })
}) {}
