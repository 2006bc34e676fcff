/**
 * The relay: forwards a guarded upstream stream to the client in the same dialect, frame by frame,
 * with keep-alive comments during upstream silence, one error event when a started stream fails,
 * and the disconnect policy (`cancel` or `drain`) when the client leaves.
 *
 * @since 0.1.0
 */
import type { HttpClientRequest } from "@effect/platform"
import { Headers, HttpServerResponse } from "@effect/platform"
import { LlmClient } from "@streamguard/client"
import { RequestProfile, StreamEvent, StreamObserver } from "@streamguard/core"
import type { Dialect } from "@streamguard/protocols"
import { Cause, Deferred, Duration, Effect, Exit, Fiber, Option, Queue, Stream } from "effect"
import type { Chunk, Scope } from "effect"
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

type Item =
  | { readonly _tag: "Data"; readonly text: string }
  | { readonly _tag: "End" }
  | { readonly _tag: "Fail"; readonly error: ErrorResponse.GatewayError }

type Next = Item | { readonly _tag: "Idle" } | { readonly _tag: "Stop" }

const idle: Next = { _tag: "Idle" }
const stop: Next = { _tag: "Stop" }
const end: Item = { _tag: "End" }

/** What the two sides of one relay share. */
interface State {
  /** The client got a 200 and the stream's first bytes. */
  committed: boolean
  /** The response ended on its own terms (end, error event, shutdown event). */
  completed: boolean
  /** The client left before the response completed. */
  gone: boolean
  disconnect: DisconnectPolicy | undefined
  endedBy: string | undefined
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
     * Starts the upstream (in the gateway's scope, not the request's, so `drain` can outlive the
     * request) and answers: a JSON error with its status when the stream fails before its first
     * frame, else a 200 event stream. Nothing is decided while the request waits for admission
     * and for the upstream's answer (its 2xx headers): a refusal or an upstream error status
     * there keeps its own status. Once the upstream answered, when no frame arrives within
     * `keepaliveInterval` the 200 is sent with a keep-alive comment, and a later failure becomes
     * the in-band error event.
     */
    const stream: <A>(
      request: StreamRequest<A>
    ) => Effect.Effect<HttpServerResponse.HttpServerResponse, never, Scope.Scope> = Effect.fn("Relay.stream")(
      function*<A>(request: StreamRequest<A>) {
        const clock = yield* Effect.clock
        const startedAt = clock.unsafeCurrentTimeMillis()
        const state: State = {
          committed: false,
          completed: false,
          gone: false,
          disconnect: undefined,
          endedBy: undefined
        }
        // Small: the relay forwards as frames come; this only absorbs a burst while a write drains.
        // Keep-alive ticks and the shutdown signal go through the queue too: a `Queue.take` is never
        // raced against a timer, because an interrupted take can lose the frame it was handed.
        const queue = yield* Queue.bounded<Next>(64)
        const decided = yield* Deferred.make<number>()
        const failureContext: ErrorResponse.FailureContext = { upstream: request.log.upstream, secrets }
        // The guard tells its observer when the upstream answered with a 2xx status and its response
        // started (after admission), and counts the stream (outcome, chunks, bytes, time to first
        // chunk) until it ended: keep-alives start from the first, and the log line takes its
        // numbers from the second, so it agrees with the metrics the ambient observer keeps.
        const opened = yield* Deferred.make<void>()
        const observed = yield* Deferred.make<StreamObserver.Ended>()
        const observer = StreamObserver.combine(yield* StreamObserver.StreamObserver, {
          ...StreamObserver.noopService,
          opened: () => Deferred.succeed(opened, undefined),
          ended: (_, ended) => Deferred.succeed(observed, ended)
        })
        const events = client.streamEvents(request.upstream, {
          dialect: request.dialect,
          labels: { upstream: request.log.upstream }
        }).pipe(
          Stream.provideService(RequestProfile.RequestProfile, request.profile),
          Stream.provideService(StreamObserver.StreamObserver, observer)
        )
        const offer = (item: Next) => state.gone || state.completed ? Effect.void : Queue.offer(queue, item)
        // When the client was last sent something: keep-alives fill silences of `keepaliveInterval`.
        let lastSentAt = startedAt

        const onEvents = (events: Chunk.Chunk<StreamEvent.StreamEvent<A>>) =>
          Effect.suspend(() => {
            let text = ""
            for (const event of events) text += request.dialect.encode(event)
            return text.length === 0 ? Effect.void : offer({ _tag: "Data", text })
          })

        const logEnd = (exit: Exit.Exit<void, unknown>) =>
          Effect.gen(function*() {
            const status = yield* Deferred.await(decided).pipe(
              Effect.timeoutTo({ duration: Duration.seconds(1), onTimeout: () => 0, onSuccess: (s) => s })
            )
            const failure = Exit.isFailure(exit) ? Option.getOrUndefined(exit.cause.pipe(causeFailure)) : undefined
            const error = failure === undefined ? undefined : ErrorResponse.fromFailure(failure, failureContext)
            // The guard has ended (and told the observer) before the run returns; a request
            // refused at admission never started one.
            const ended = Option.getOrUndefined(
              yield* Effect.option(
                Deferred.poll(observed).pipe(
                  Effect.flatten,
                  Effect.flatten
                )
              )
            )
            yield* streamLog.ended({
              ...request.log,
              stream: true,
              outcome: ended?.outcome ?? error?.type ?? (Exit.isSuccess(exit) ? "done" : "interrupted"),
              status,
              disconnect: state.disconnect,
              endedBy: state.endedBy,
              ttfcMs: ended?.timeToFirstChunkMillis,
              chunks: ended?.chunks ?? 0,
              keepalives: ended?.keepalives ?? 0,
              bytes: ended?.bytes ?? 0,
              durationMs: ended?.durationMillis ?? clock.unsafeCurrentTimeMillis() - startedAt,
              error: error?.message
            })
          })

        // The client gets a fixed "internal error"; the defect itself is logged here, scrubbed.
        const logDefect = (cause: Cause.Cause<unknown>) =>
          Cause.isDie(cause)
            ? Effect.logError("stream failed with a defect").pipe(
              Effect.annotateLogs({
                requestId: request.log.requestId,
                defect: ErrorResponse.scrub(Cause.pretty(cause), secrets)
              })
            )
            : Effect.void

        const producer = yield* Effect.scoped(
          Effect.zipRight(request.admit, Stream.runForEachChunk(events, onEvents))
        ).pipe(
          Effect.onExit((exit) =>
            Effect.zipRight(
              Exit.match(exit, {
                onSuccess: () => offer(end),
                onFailure: (cause) =>
                  Effect.zipRight(
                    logDefect(cause),
                    Option.match(causeFailure(cause), {
                      onNone: () => Effect.void,
                      onSome: (error) =>
                        offer({ _tag: "Fail", error: ErrorResponse.fromFailure(error, failureContext) })
                    })
                  )
              }),
              Effect.forkIn(logEnd(exit), lifecycle.scope)
            )
          ),
          Effect.forkIn(lifecycle.scope)
        )

        // Runs when the request ends, whichever way: the client leaving applies the policy.
        yield* Effect.addFinalizer(() =>
          Effect.suspend(() => {
            if (state.completed) return Effect.asVoid(Fiber.interrupt(producer))
            state.gone = true
            state.disconnect = request.onDisconnect
            // The moment the gateway saw the client leave, for debugging how long the upstream close took.
            const told = Effect.logDebug("client disconnected").pipe(
              Effect.annotateLogs({ requestId: request.log.requestId, onDisconnect: request.onDisconnect }),
              Effect.zipRight(Deferred.succeed(decided, state.committed ? 200 : 499))
            )
            if (request.onDisconnect === "cancel") {
              return Effect.asVoid(Effect.zipRight(told, Fiber.interrupt(producer)))
            }
            return told.pipe(
              Effect.zipRight(Queue.takeAll(queue)),
              Effect.zipRight(
                Effect.forkIn(
                  // Interruptible: forked from a finalizer, it would inherit uninterruptibility and
                  // the window could not cut the wait short.
                  Fiber.await(producer).pipe(
                    Effect.timeout(config.drainWindow),
                    Effect.ignore,
                    Effect.zipRight(Fiber.interrupt(producer)),
                    Effect.interruptible
                  ),
                  lifecycle.scope
                )
              ),
              Effect.asVoid
            )
          })
        )
        yield* lifecycle.track

        const headers = Headers.fromInput({ "x-request-id": request.log.requestId })
        const interval = Duration.toMillis(config.keepaliveInterval)
        // The dialect's own keep-alive: a payload-less keepalive, an SSE comment on every SSE endpoint.
        const keepaliveText = request.dialect.encode(StreamEvent.Keepalive({ bytes: 0 }))
        // No keep-alive (which commits the 200) before the upstream opened: until then a failure,
        // an admission refusal included, still gets its own status. After it, one tick per
        // silence of `keepaliveInterval` since the client was last sent something.
        const ticks: Effect.Effect<never> = Effect.suspend(() => {
          const silent = clock.unsafeCurrentTimeMillis() - lastSentAt
          return silent >= interval
            ? Effect.zipRight(
              Effect.sync(() => {
                lastSentAt = clock.unsafeCurrentTimeMillis()
              }),
              offer(idle)
            )
            : Effect.sleep(interval - silent)
        }).pipe(Effect.forever)
        yield* Effect.forkScoped(
          Effect.zipRight(
            Deferred.await(opened),
            Effect.zipRight(
              Effect.sync(() => {
                lastSentAt = clock.unsafeCurrentTimeMillis()
              }),
              ticks
            )
          )
        )
        yield* Effect.forkScoped(Effect.zipRight(lifecycle.stopNow, offer(stop)))

        const first: Next = yield* Queue.take(queue)
        if (first._tag === "Fail" || first._tag === "Stop") {
          state.completed = true
          const error = first._tag === "Fail" ? first.error : ErrorResponse.shuttingDown()
          if (first._tag === "Stop") state.endedBy = "shutdown"
          yield* Deferred.succeed(decided, error.status)
          return ErrorResponse.toResponse(request.endpoint, error).pipe(HttpServerResponse.setHeaders(headers))
        }
        state.committed = true
        yield* Deferred.succeed(decided, 200)

        const errorEvent = (error: ErrorResponse.GatewayError) =>
          request.dialect.encode(request.dialect.errorEvent(ErrorResponse.inBand(error)))

        let finished = false
        const toText = (n: Next): Option.Option<string> => {
          switch (n._tag) {
            case "Data":
              lastSentAt = clock.unsafeCurrentTimeMillis()
              return Option.some(n.text)
            case "Idle":
              return Option.some(keepaliveText)
            case "End":
              finished = true
              return Option.none()
            case "Fail":
              finished = true
              return Option.some(errorEvent(n.error))
            case "Stop":
              finished = true
              state.endedBy = "shutdown"
              return Option.some(errorEvent(ErrorResponse.shuttingDown()))
          }
        }
        const rest = Stream.repeatEffectOption(
          Effect.suspend(() =>
            finished ? Effect.fail(Option.none()) : Effect.flatMap(Queue.take(queue), (n) => {
              const text = toText(n)
              return Option.isSome(text) ? Effect.succeed(text.value) : Effect.fail(Option.none())
            })
          )
        )
        const firstText = toText(first)
        const body = Stream.concat(
          Option.isSome(firstText) ? Stream.succeed(firstText.value) : Stream.empty,
          rest
        ).pipe(
          Stream.encodeText,
          Stream.onEnd(Effect.sync(() => {
            state.completed = true
          }))
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

// A defect counts as a failure too: a started stream must end with an error event, not a cut.
const causeFailure = <E>(cause: Cause.Cause<E>): Option.Option<unknown> =>
  Option.orElse(Cause.failureOption(cause) as Option.Option<unknown>, () => Cause.dieOption(cause))
