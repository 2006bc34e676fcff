/**
 * The relay: forwards a guarded upstream stream to the client in the same dialect, one write per
 * network read, with keep-alive comments during upstream silence, one error event when a started
 * stream fails, and the disconnect policy (`cancel` or `drain`) when the client leaves.
 *
 * The client's response body pulls the upstream directly: the HTTP server writes what one pull
 * handed over and pulls again when the socket took it, so a slow client slows the upstream down
 * (the guard pauses its socket) and an idle stream costs the guard's state and nothing more. The
 * keep-alives are the guard's heartbeat and the shutdown is its abort signal, so no stream has a
 * timer or a fiber of its own besides the request's.
 *
 * @since 0.1.0
 */
import type { HttpClientRequest } from "@effect/platform"
import { Headers, HttpServerResponse } from "@effect/platform"
import { LlmClient } from "@streamguard/client"
import { RequestProfile, StreamObserver } from "@streamguard/core"
import type { StreamEvent } from "@streamguard/core"
import type { Dialect } from "@streamguard/protocols"
import {
  Cause,
  Chunk,
  Deferred,
  Duration,
  Effect,
  Either,
  ExecutionStrategy,
  Exit,
  FiberId,
  Option,
  Scope,
  Stream
} from "effect"
import { GatewayConfig } from "./Config.js"
import * as ErrorResponse from "./ErrorResponse.js"
import { Lifecycle } from "./Lifecycle.js"
import type * as StreamLog from "./StreamLog.js"
import { StreamLog as StreamLogService } from "./StreamLog.js"

/**
 * What to do with the upstream when the client disconnects mid-stream: `cancel` aborts it at once;
 * `drain` keeps reading it, forwarding nothing, for at most `drainWindow` (so its final usage is
 * counted), then closes it.
 *
 * @since 0.1.0
 * @category models
 */
export type DisconnectPolicy = "cancel" | "drain"

/**
 * The request header that picks the disconnect policy.
 *
 * @since 0.1.0
 * @category constants
 */
export const disconnectHeader = "x-streamguard-on-disconnect"

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
  /** Takes the admission slots, held until the upstream is closed. */
  readonly admit: Effect.Effect<void, ErrorResponse.GatewayError, Scope.Scope>
  readonly onDisconnect: DisconnectPolicy
  readonly log: Pick<StreamLog.Record, "requestId" | "endpoint" | "profile" | "upstream" | "model">
}

/** What one relay has come to, for its log line. */
interface State {
  /** The status the client got; 0 until it got one. */
  status: number
  /** The response ended on its own terms (the end, an error event, the shutdown event). */
  completed: boolean
  disconnect: DisconnectPolicy | undefined
  endedBy: string | undefined
  /** The error's message and type, when the relay answered or ended with one. */
  error: string | undefined
  outcome: string | undefined
}

const encoder = new TextEncoder()

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
    const stream: <A>(
      request: StreamRequest<A>
    ) => Effect.Effect<HttpServerResponse.HttpServerResponse, never, Scope.Scope> = Effect.fn("Relay.stream")(
      function*<A>(request: StreamRequest<A>) {
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

        // The guard counts the stream (outcome, chunks, bytes, time to first chunk) and tells its
        // observer once the upstream closed: the log line takes its numbers from there, so it
        // agrees with the metrics the ambient observer keeps.
        const observed = yield* Deferred.make<StreamObserver.Ended>()
        const observer = StreamObserver.combine(yield* StreamObserver.StreamObserver, {
          ...StreamObserver.noopService,
          ended: (_, ended) => Deferred.succeed(observed, ended)
        })
        const events = client.streamEvents(request.upstream, {
          dialect: request.dialect,
          labels: { upstream: request.log.upstream },
          heartbeat: config.keepaliveInterval,
          signal: lifecycle.stopSignal
        }).pipe(
          Stream.provideService(RequestProfile.RequestProfile, request.profile),
          Stream.provideService(StreamObserver.StreamObserver, observer)
        )
        // The admission slots are held until the upstream closes.
        const upstream = Stream.unwrapScoped(Effect.as(request.admit, events))

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
                keepalives: ended?.keepalives ?? 0,
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

        // The upstream lives in a scope of its own, closed by the request's end: with the request
        // when it completed, as interrupted when the client left (`cancel`), or after the drain
        // window (`drain`), which outlives the request in the gateway's scope.
        const upstreamScope = yield* Scope.fork(
          request.onDisconnect === "drain" ? lifecycle.scope : yield* Effect.scope,
          ExecutionStrategy.sequential
        )
        const pull = yield* Scope.extend(Stream.toPull(upstream), upstreamScope)

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
            if (request.onDisconnect === "cancel") {
              return Effect.zipRight(
                told,
                Scope.close(upstreamScope, Exit.isFailure(exit) ? exit : Exit.interrupt(FiberId.none))
              )
            }
            const drain = Effect.forever(pull).pipe(
              Effect.ignore,
              Effect.timeout(config.drainWindow),
              Effect.ignore,
              Effect.ensuring(Scope.close(upstreamScope, Exit.interrupt(FiberId.none))),
              // Interruptible: forked from a finalizer, it would inherit uninterruptibility and the
              // window could not cut the wait short.
              Effect.interruptible
            )
            return Effect.zipRight(told, Effect.forkIn(drain, lifecycle.scope))
          })
        )

        const headers = Headers.fromInput({ "x-request-id": request.log.requestId })
        const first = yield* Effect.either(pull)
        if (Either.isLeft(first) && Option.isSome(first.left)) {
          const error = errorOf(first.left.value)
          state.completed = true
          state.status = error.status
          state.error = error.message
          state.outcome = error.type
          return ErrorResponse.toResponse(request.endpoint, error).pipe(HttpServerResponse.setHeaders(headers))
        }
        state.status = 200

        const encoded = (events: Chunk.Chunk<StreamEvent.StreamEvent<A>>): Chunk.Chunk<Uint8Array> => {
          let text = ""
          for (const event of events) text += request.dialect.encode(event)
          return text === "" ? Chunk.empty() : Chunk.of(encoder.encode(text))
        }
        // A failure after the 200 is one error event in the client's dialect, then the end.
        const errorEvent = (cause: Cause.Cause<unknown>): Stream.Stream<Uint8Array> => {
          if (Cause.isInterruptedOnly(cause)) return Stream.failCause(cause as Cause.Cause<never>)
          const failure = Option.orElse(Cause.failureOption(cause), () => Cause.dieOption(cause))
          const error = errorOf(Option.getOrUndefined(failure))
          state.error = error.message
          const defect = Cause.isDie(cause)
            ? Effect.logError("stream failed with a defect").pipe(
              Effect.annotateLogs({
                requestId: request.log.requestId,
                defect: ErrorResponse.scrub(Cause.pretty(cause), secrets)
              })
            )
            : Effect.void
          return Stream.concat(
            Stream.execute(defect),
            Stream.succeed(
              encoder.encode(request.dialect.encode(request.dialect.errorEvent(ErrorResponse.inBand(error))))
            )
          )
        }
        const rest = Stream.repeatEffectChunkOption(Effect.map(pull, encoded))
        const body = Stream.concat(
          Either.isRight(first) ? Stream.fromChunk(encoded(first.right)) : Stream.empty,
          Either.isRight(first) ? rest : Stream.empty
        ).pipe(
          Stream.catchAllCause(errorEvent),
          Stream.concat(Stream.execute(Effect.sync(() => {
            state.completed = true
          })))
        )
        return HttpServerResponse.stream(body, {
          contentType: "text/event-stream; charset=utf-8",
          headers: Headers.fromInput({
            "x-request-id": request.log.requestId,
            "cache-control": "no-cache",
            // Tells nginx not to buffer the stream.
            "x-accel-buffering": "no"
          })
        })
      }
    )

    return { stream } as const
  })
}) {}

const isAborted = (error: unknown): boolean =>
  typeof error === "object" && error !== null && (error as { readonly _tag?: unknown })._tag === "StreamAborted"
