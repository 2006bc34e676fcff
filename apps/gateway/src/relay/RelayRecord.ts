/**
 * What one relayed stream knows of itself, from its admission to its log line: the status the
 * client got and how the response ended, the chain of upstream attempts (which ran, which served,
 * where the last failure came from), what was delivered, each attempt's end as its guard observed
 * it, and the pull a drain reads when the client leaves. `Relay` acts through it (an answer with a
 * status, the 200 and the winner's stream, the in-band error); `Failover`'s attempts report to it,
 * as their `Attempt.Link`; it writes the request's one log line once the upstream has closed.
 * Beside it runs its `LiveStream`, what the live view (`InFlight`) reads of the stream while it is
 * in flight: the record enters it there as the request starts and ends it there with its log line.
 *
 * Every field is set at a step of the stream's life, never per chunk: the counts of what was
 * delivered are the body's meter, which the writes keep anyway, and where each attempt stands is
 * read from its guard when a viewer asks.
 *
 * @since 0.1.0
 */
import type { RequestProfile, StreamEvent, StreamObserver } from "@streamguard/core"
import { GuardError, TimeoutPolicy } from "@streamguard/core"
import type { Dialect } from "@streamguard/protocols"
import type { Clock, Redacted } from "effect"
import { Cause, Deferred, Duration, Effect, Exit, Option, Scope } from "effect"
import { HttpServerResponse } from "effect/http"
import type * as Http from "node:http"
import type { Endpoint } from "../api/Endpoint.js"
import * as ErrorResponse from "../api/ErrorResponse.js"
import type * as Attempt from "./Attempt.js"
import * as Delivered from "./Delivered.js"
import * as DisconnectPolicy from "./DisconnectPolicy.js"
import type * as Failover from "./Failover.js"
import type { InFlight } from "./InFlight.js"
import { RelayBody } from "./internal/relayBody.js"
import { LiveStream } from "./LiveStream.js"
import type * as StreamLog from "./StreamLog.js"

/**
 * What the record keeps of the request it relays.
 *
 * @since 0.1.0
 * @category models
 */
export interface Relayed<A> {
  readonly endpoint: Endpoint
  readonly dialect: Dialect.Dialect<A>
  readonly onDisconnect: DisconnectPolicy.DisconnectPolicy
  readonly log: StreamLog.Origin
  /** Its profile: its `pool` limit bounds the wait for admission, which the live view shows. */
  readonly profile: RequestProfile.Service
}

/**
 * What every record of the gateway is given, and the request's own clock and observer.
 *
 * @since 0.1.0
 * @category models
 */
export interface Env {
  readonly clock: Clock.Clock
  /** The request's observer (the stream metrics): each attempt's observer tells it too. */
  readonly ambient: StreamObserver.Service
  /** Scrubbed from every message the client or the log gets. */
  readonly secrets: ReadonlyArray<Redacted.Redacted>
  readonly keepaliveInterval: Duration.Duration
  readonly drainWindow: Duration.Duration
  /** Aborted when the shutdown ends the streams still open. */
  readonly stopSignal: AbortSignal
  /** The gateway's scope: a drain outlives the request there. */
  readonly gatewayScope: Scope.Scope
  readonly log: (record: StreamLog.Record) => Effect.Effect<void>
  /** The streams in flight, for the live view: the record enters it, and ends it with its log line. */
  readonly inFlight: InFlight
}

/**
 * One relayed stream's record.
 *
 * @since 0.1.0
 * @category models
 */
export class RelayRecord<A> implements Attempt.Link<A> {
  /** What every attempt's stream is told: the heartbeat and where it is written, the stop signal. */
  readonly options: NonNullable<Attempt.Link<A>["options"]>
  /** When the gateway took the request, in Clock millis. */
  readonly startedAt: number
  private readonly body: RelayBody<A>
  /** What the live view reads of this stream while it is in flight. */
  private readonly live: LiveStream

  // What the client got.
  /** The status the client got; 0 until it got one. */
  private status = 0
  /** The response ended on its own terms (the end, an error event, the shutdown event). */
  private completed = false
  private disconnect: DisconnectPolicy.DisconnectPolicy | undefined = undefined
  /** The client left and the upstream is read on for its usage (`drain`): the log line waits for it. */
  private drainingUpstream = false
  private endedBy: string | undefined = undefined
  /** The error's message and type, when the relay answered or ended with one. */
  private error: string | undefined = undefined
  private outcome: string | undefined = undefined

  // The chain of attempts: which ran, which served, and where the last failure came from.
  /** The chain's attempts, once it settled (what the log line and the error event tell). */
  private tried: ReadonlyArray<Attempt.Attempt> = []
  private served: Attempt.Attempt | undefined = undefined
  private failedAt: string
  /**
   * Each attempt's end, by its number, as its guard tells it once the upstream closed: the log
   * line takes its numbers from the attempt that served (or the last one tried), so it agrees
   * with the ambient observer's metrics.
   */
  private readonly endings = new Map<number, Deferred.Deferred<StreamObserver.Ended>>()
  /** The pull a drain reads when the client leaves: the running attempt's, or the winner's. */
  private current: Attempt.Pull<A> | undefined = undefined

  constructor(private readonly request: Relayed<A>, response: Http.ServerResponse, private readonly env: Env) {
    this.startedAt = env.clock.currentTimeMillisUnsafe()
    this.failedAt = request.log.upstream
    this.body = new RelayBody(response, request.dialect)
    const pool = TimeoutPolicy.limit(request.profile.policy, "pool")
    this.live = new LiveStream(request.log, this.startedAt, {
      pool: Option.isSome(pool) ? Duration.toMillis(pool.value) : undefined,
      drainWindow: Duration.toMillis(env.drainWindow)
    }, this.body.meter)
    this.options = {
      heartbeat: env.keepaliveInterval,
      // Once the 200 went out, a keep-alive is written here without waking the request.
      onHeartbeat: this.body.keepalive,
      signal: env.stopSignal
    }
  }

  /** Shows the stream in the live view until its log line (`logLine` ends it there). */
  enter(): void {
    this.env.inFlight.add(this.live)
  }

  /** Whether the client left and the upstream is read on for its usage (`drain`). */
  get draining(): boolean {
    return this.drainingUpstream
  }

  // ---------------------------------------------------------------------------------------------
  // What the attempts report (Attempt.Link)
  // ---------------------------------------------------------------------------------------------

  /** The observer of one attempt's stream: the ambient one, and the attempt's end kept for the log line. */
  observe(attempt: Attempt.Attempt): StreamObserver.Service {
    this.live.attempt(attempt, this.env.clock.currentTimeMillisUnsafe())
    const ended = Deferred.makeUnsafe<StreamObserver.Ended>()
    this.endings.set(attempt.attempt, ended)
    const ambient = this.env.ambient
    // The ambient observer's own calls, its `ended` followed by the record's: not a `combine`, whose
    // every call (a `received` per network read) would go through an `Effect.forEach`.
    return {
      ...ambient,
      ended: (stream, info) => Effect.andThen(ambient.ended(stream, info), Deferred.succeed(ended, info))
    }
  }

  /** The attempt's guard started: the live view reads where it stands from now on. */
  watch(attempt: Attempt.Attempt, guard: Attempt.Guarded): void {
    this.live.watch(attempt, guard)
  }

  /**
   * The upstream answered and stays silent before content: the 200 is committed with a keep-alive
   * comment, which holds no upstream frame, so a fallback can still follow.
   */
  readonly waiting: Effect.Effect<void> = Effect.sync(() => {
    if (this.status === 0) this.commit()
    this.body.keepalive()
  })

  /** The running attempt's pull: what a drain reads if the client leaves before content. */
  opened(pull: Attempt.Pull<A>): void {
    this.current = pull
  }

  // ---------------------------------------------------------------------------------------------
  // The answer
  // ---------------------------------------------------------------------------------------------

  /** Answers with the error's status, as a JSON error: nothing was sent yet. */
  answer(error: ErrorResponse.GatewayError): HttpServerResponse.HttpServerResponse {
    this.end()
    this.status = error.status
    this.error = error.message
    this.outcome = error.type
    return ErrorResponse.toResponse(this.request.endpoint, error).pipe(
      HttpServerResponse.setHeader("x-request-id", this.request.log.requestId)
    )
  }

  /** No attempt produced content: the last failure is the answer, or, once the 200 went out, the error event. */
  exhausted(exhausted: Failover.Exhausted): HttpServerResponse.HttpServerResponse {
    this.tried = exhausted.attempts
    this.failedAt = exhausted.upstream
    const error = this.errorOf(exhausted.error, exhausted.upstream)
    if (!this.body.isStarted) return this.answer(error)
    this.outcome = error.type
    this.failInBand(error)
    return this.finish()
  }

  /**
   * Relays the winner's stream: the 200 (unless a keep-alive committed it already), what it
   * produced so far, then each pull as it comes, to its end or its failure (the in-band error).
   * The request's fiber pulls and writes in one loop: a pull that finds nothing parks the fiber in
   * the guard until the upstream sends, and each write is a plain call, so a chunk costs no fiber
   * and no effect of the relay's own beyond the pull.
   */
  relay(started: Failover.Started<A>): Effect.Effect<HttpServerResponse.HttpServerResponse> {
    return Effect.suspend(() => {
      this.tried = started.attempts
      this.served = started.served
      this.current = started.pull
      if (!this.body.isStarted) this.commit()
      const body = this.body
      const pull = started.pull
      const next = (events: ReadonlyArray<StreamEvent.StreamEvent<A>>): Effect.Effect<void, unknown> =>
        body.write(events) ? loop : Effect.andThen(body.drained, loop)
      const loop: Effect.Effect<void, unknown> = Effect.flatMap(pull, next)
      return Effect.andThen(
        Effect.catchCause(next(started.events), (cause) => this.failed(cause)),
        Effect.sync(() => this.finish())
      )
    })
  }

  /** The winner's stream failed (or ended: `Cause.Done`), after the 200. */
  private failed(cause: Cause.Cause<unknown>): Effect.Effect<void> {
    const failure = Cause.findErrorOption(cause)
    if (Option.isSome(failure) && Cause.isDone(failure.value)) return Effect.void
    if (Cause.hasInterruptsOnly(cause)) return Effect.failCause(cause as Cause.Cause<never>)
    const defect = Cause.findDefect(cause)
    this.failInBand(this.errorOf(
      Option.isSome(failure) ? failure.value : defect._tag === "Success" ? defect.success : undefined,
      this.served!.upstream
    ))
    return Cause.hasDies(cause)
      ? Effect.logError("stream failed with a defect").pipe(
        Effect.annotateLogs({
          requestId: this.request.log.requestId,
          defect: ErrorResponse.scrub(Cause.pretty(cause), this.env.secrets)
        })
      )
      : Effect.void
  }

  private commit(): void {
    this.status = 200
    this.body.start(this.request.log.requestId)
  }

  /** A failure once the 200 went out is one error event in the client's dialect, then the end. */
  private failInBand(error: ErrorResponse.GatewayError): void {
    this.error = error.message
    this.body.fail(error, this.attempts())
  }

  private finish(): HttpServerResponse.HttpServerResponse {
    this.end()
    this.body.end()
    // The response is written: the platform sees it ended and adds nothing. It carries the
    // status the client got, for what reads it (the requests metric), not the empty body's 204.
    return HttpServerResponse.empty({ status: this.status })
  }

  /** The response ended on the gateway's terms. */
  private end(): void {
    this.completed = true
  }

  private errorOf(error: unknown, upstream: string): ErrorResponse.GatewayError {
    if (GuardError.isStreamAborted(error)) {
      this.endedBy = "shutdown"
      return ErrorResponse.shuttingDown()
    }
    return ErrorResponse.fromFailure(error, { upstream, secrets: this.env.secrets })
  }

  /** The upstream that served (or failed last) and the attempts, for the error event and the log line. */
  private attempts() {
    return {
      upstream: this.served?.upstream ?? this.failedAt,
      attempts: this.tried.length,
      ...(this.tried.length > 1 ? { tried: this.tried } : {})
    }
  }

  // ---------------------------------------------------------------------------------------------
  // The end
  // ---------------------------------------------------------------------------------------------

  /**
   * The request ended, whichever way: a completed response closes the upstream's scope; a client
   * that left before applies its `DisconnectPolicy` to it.
   */
  ended(exit: Exit.Exit<unknown, unknown>, upstream: Scope.Closeable): Effect.Effect<void> {
    return Effect.suspend(() => {
      if (this.completed) return Scope.close(upstream, Exit.void)
      const policy = this.request.onDisconnect
      this.disconnect = policy
      this.live.left(policy, this.env.clock.currentTimeMillisUnsafe())
      if (this.status === 0) this.status = 499
      const current = this.current
      this.drainingUpstream = policy === "drain" && current !== undefined
      // The moment the gateway saw the client leave, for debugging how long the upstream close took.
      const told = Effect.logDebug("client disconnected").pipe(
        Effect.annotateLogs({ requestId: this.request.log.requestId, onDisconnect: policy })
      )
      return Effect.andThen(
        told,
        DisconnectPolicy.release(policy, {
          upstream,
          pull: current === undefined ? undefined : Effect.map(current, this.body.count),
          exit,
          window: this.env.drainWindow,
          gatewayScope: this.env.gatewayScope
        })
      )
    })
  }

  /** Writes the log line, with what the decisive attempt's guard saw once its upstream closed. */
  readonly logLine: Effect.Effect<void> = Effect.suspend(() =>
    Effect.flatMap(this.decisiveEnd(), (seen) => {
      const line = this.line(Option.getOrUndefined(seen))
      this.env.inFlight.end(this.live, line, this.env.clock.currentTimeMillisUnsafe())
      return Effect.andThen(
        this.tried.length > 0 ? Delivered.record(line.usage!, line.upstream) : Effect.void,
        this.env.log(line)
      )
    })
  )

  /** The end of the attempt that served (or the last one tried), once its upstream closed. */
  private decisiveEnd(): Effect.Effect<Option.Option<StreamObserver.Ended>> {
    const decisive = this.served ?? this.tried[this.tried.length - 1]
    const observed = decisive === undefined ? undefined : this.endings.get(decisive.attempt)
    if (observed === undefined) return Effect.succeedNone
    // A drained upstream ends later; any other has closed by now, if it ever started (a request
    // refused at admission never did).
    if (this.disconnect === "drain") {
      return Effect.timeoutOption(Deferred.await(observed), Duration.sum(this.env.drainWindow, Duration.seconds(1)))
    }
    return Deferred.isDoneUnsafe(observed) ? Effect.asSome(Deferred.await(observed)) : Effect.succeedNone
  }

  private line(ended: StreamObserver.Ended | undefined): StreamLog.Record {
    return {
      ...this.request.log,
      ...this.attempts(),
      stream: true,
      outcome: ended?.outcome ?? this.outcome ?? "interrupted",
      status: this.status,
      disconnect: this.disconnect,
      endedBy: this.endedBy,
      ttfcMs: ended?.timeToFirstChunkMillis,
      chunks: ended?.chunks ?? 0,
      // The upstream's pings, which the guard's count does not tell from lifecycle frames.
      keepalives: this.body.pings,
      bytes: ended?.bytes ?? 0,
      // Across attempts, the whole request's time; else the guard's, as the metrics have it.
      durationMs: this.tried.length <= 1 && ended !== undefined
        ? ended.durationMillis
        : this.env.clock.currentTimeMillisUnsafe() - this.startedAt,
      usage: this.body.meter.snapshot(),
      error: this.error
    }
  }
}
