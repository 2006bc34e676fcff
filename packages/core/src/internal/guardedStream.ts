/**
 * The lean engine behind every guarded stream: one state object per stream, fed synchronously by
 * its transport (a socket's callbacks, or a fiber pumping an Effect stream), read by the consumer's
 * pull, and timed by the Clock's one deadline scheduler.
 *
 * - The transport pushes each network read's events (`events`); the state counts them, keeps what
 *   the consumer gets, and wakes the consumer if it is waiting. No Effect runs per read.
 * - The consumer's pull hands over everything buffered as one `Chunk`, or the end, or parks in one
 *   `Effect.async` until there is something to hand over.
 * - Every limit of the policy is a deadline in `due(now)`; the first decision wins, aborts the
 *   transport at once (the socket is destroyed before the consumer hears of it) and fails the pull.
 * - The idle limits (`firstChunk`, `chunk`, `progress`) measure the upstream's silence while the
 *   consumer waits for it: they run only while the consumer is parked, so a slow consumer is not
 *   taken for a silent upstream. `total` and the phases before the response always run.
 * - Past a high-water mark the transport is paused; it resumes when the consumer takes the buffer.
 *
 * @internal
 */
import * as Cause from "effect/Cause"
import * as Channel from "effect/Channel"
import * as Chunk from "effect/Chunk"
import type * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as FiberId from "effect/FiberId"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import { StreamAborted, UnexpectedEnd, UpstreamErrorSignal } from "../GuardError.js"
import type { GuardError } from "../GuardError.js"
import * as StreamEvent from "../StreamEvent.js"
import * as StreamObserver from "../StreamObserver.js"
import type { StreamOutcome } from "../StreamOutcome.js"
import { hasOutcome } from "../StreamOutcome.js"
import * as TimeoutPolicy from "../TimeoutPolicy.js"
import type { TimeoutDetails } from "../ZombieRequestError.js"
import {
  ChunkTimeout,
  ConnectTimeout,
  FirstChunkTimeout,
  HeadersTimeout,
  PoolTimeout,
  ProgressTimeout,
  RequestTimeout,
  TotalTimeout,
  WriteTimeout
} from "../ZombieRequestError.js"
import type { Deadlines, Timed } from "./deadlines.js"
import { forClock } from "./deadlines.js"

/**
 * A phase of a request before its response: each has its own limit, counted from when it began.
 *
 * @internal
 */
export type Phase = "pool" | "connect" | "write" | "headers"

/**
 * What a transport may be told to do.
 *
 * @internal
 */
export interface Control {
  /** Stop at once: destroy the connection. Called once, at whatever ends the stream. */
  readonly abort: () => void
  /** Stop reading for now (the consumer is behind). */
  readonly pause?: (() => void) | undefined
  /** Read again (the consumer took what was buffered). */
  readonly resume?: (() => void) | undefined
  /**
   * The upstream said it is done: finish the response cleanly if it completes at once (its
   * connection may then be reused), else abort. Without it, `abort`.
   */
  readonly release?: (() => void) | undefined
}

/**
 * The push side of a guarded stream: what its transport tells it. Every method is synchronous and
 * safe to call from any callback, any number of times; calls after the end are ignored.
 *
 * @internal
 */
export interface Feed<A, E> {
  /** The request entered a phase before the response: that phase's limit counts from now. */
  readonly phase: (phase: Phase) => void
  /** The response started: `chunk` and `progress` count from now. */
  readonly opened: () => void
  /** One network read's events, in order. Returns `false` when the transport should pause. */
  readonly events: (events: ReadonlyArray<StreamEvent.StreamEvent<A>>) => boolean
  /** The bytes ended (EOF). Without a `Done` before it, the stream fails with `UnexpectedEnd`. */
  readonly end: () => void
  /** The transport failed: the stream fails with `error`, after what was already decoded. */
  readonly fail: (error: E) => void
  /** The transport's controls. A transport that sets none is stopped by interrupting its fiber. */
  readonly control: (control: Control | undefined) => void
  /** Runs `f` when the stream closes, after the transport was stopped (releases a pool slot). */
  readonly onClose: (f: () => void) => void
  /** Tells the observer that the attempt that failed with `outcome` is retried after `delayMillis`. */
  readonly retrying: (attempt: number, outcome: StreamOutcome, delayMillis: number) => Effect.Effect<void>
  /** Whether the stream has ended: a transport stops feeding. */
  readonly closed: () => boolean
  /** Clock millis when the request began: what `total` counts from. */
  readonly startedAt: number
}

/**
 * What a guarded stream emits: `content` (the values of `Chunk` events) or `events` (every event
 * up to and including `Done`).
 *
 * @internal
 */
export type Emit = "content" | "events"

/**
 * `stream`: a streamed response under `total`, `firstChunk`, `chunk` and `progress`. `batch`: a
 * whole response under `request` (fails with `RequestTimeout`); the idle limits do not apply.
 *
 * @internal
 */
export type Kind = "stream" | "batch"

/** @internal */
export interface Options {
  readonly labels?: Readonly<Record<string, string>> | undefined
  readonly startedAt?: number | undefined
  readonly kind?: Kind | undefined
  /** Events only: a payload-less `Keepalive` for a consumer that waited this long after the upstream opened. */
  readonly heartbeat?: Duration.Duration | undefined
  /**
   * Called at each heartbeat instead: `true` when it delivered the keepalive itself (a relay writing
   * a comment straight to its client), so the consumer is not woken for it.
   */
  readonly onHeartbeat?: (() => boolean) | undefined
  /** The observer of this stream, instead of the one in context. */
  readonly observer?: StreamObserver.Service | undefined
  /** Aborting it ends the stream with `StreamAborted`. */
  readonly signal?: AbortSignal | undefined
}

/** How many buffered items make the transport pause until the consumer takes them. */
export const highWaterMark = 512

const millisOf = (policy: TimeoutPolicy.TimeoutPolicy, field: TimeoutPolicy.Field): number | undefined => {
  const limit = TimeoutPolicy.limit(policy, field)
  return Option.isSome(limit) ? Duration.toMillis(limit.value) : undefined
}

/** The limits of one stream in millis, read once from its policy. */
interface Limits {
  readonly pool: number | undefined
  readonly connect: number | undefined
  readonly write: number | undefined
  readonly headers: number | undefined
  readonly request: number | undefined
  readonly firstChunk: number | undefined
  readonly chunk: number | undefined
  readonly progress: number | undefined
  readonly total: number | undefined
}

const limitsOf = (policy: TimeoutPolicy.TimeoutPolicy, kind: Kind): Limits => {
  const chunk = millisOf(policy, "chunk")
  return kind === "batch"
    ? {
      pool: millisOf(policy, "pool"),
      connect: millisOf(policy, "connect"),
      write: millisOf(policy, "write"),
      headers: millisOf(policy, "headers"),
      request: millisOf(policy, "request"),
      firstChunk: undefined,
      chunk: undefined,
      progress: undefined,
      total: undefined
    }
    : {
      pool: millisOf(policy, "pool"),
      connect: millisOf(policy, "connect"),
      write: millisOf(policy, "write"),
      // Waiting for headers is upstream silence too: without a `headers` limit, `chunk` bounds it.
      headers: millisOf(policy, "headers") ?? chunk,
      request: undefined,
      firstChunk: millisOf(policy, "firstChunk"),
      chunk,
      progress: millisOf(policy, "progress"),
      total: millisOf(policy, "total")
    }
}

type Deadline = Phase | "request" | "firstChunk" | "chunk" | "progress" | "total" | "heartbeat"

/** The keepalive a heartbeat hands over: not from the upstream, so it counts nowhere. */
const beat = StreamEvent.Keepalive({ bytes: 0 })

/** Heartbeats of at least this many millis fall on its multiples. */
const beatGrid = 1000

const timeouts = {
  pool: PoolTimeout,
  connect: ConnectTimeout,
  write: WriteTimeout,
  headers: HeadersTimeout,
  request: RequestTimeout,
  firstChunk: FirstChunkTimeout,
  chunk: ChunkTimeout,
  progress: ProgressTimeout,
  total: TotalTimeout
} as const

let nextStreamId = 0

const done: unique symbol = Symbol.for("@streamguard/core/Guard/done")

/** What the consumer's pull succeeds with once the stream ended: the channel then ends. */
const endMark: unique symbol = Symbol.for("@streamguard/core/Guard/end")
type EndMark = typeof endMark

/**
 * One guarded stream's state. `A` is the upstream's content type, `B` what the consumer gets.
 *
 * @internal
 */
export class GuardedStream<A, B, E> implements Timed, Feed<A, E> {
  heapIndex = -1
  heapAt = Infinity

  readonly startedAt: number
  private readonly limits: Limits
  private readonly heartbeat: number | undefined
  private readonly signal: AbortSignal | undefined
  private readonly onHeartbeat: (() => boolean) | undefined
  private onAbort: (() => void) | undefined = undefined
  private readonly info: StreamObserver.StreamInfo
  /** Whether anybody listens: unobserved streams build no observer effects at all. */
  private readonly observed: boolean

  // Where the request is.
  private phaseName: Phase | undefined = undefined
  private phaseAt = 0
  private openedAt: number | undefined = undefined

  // What arrived.
  private chunks = 0
  private keepalives = 0
  private bytes = 0
  private lastEventAt: number
  private lastEvent: "none" | "chunk" | "keepalive" = "none"
  private firstChunkAt: number | undefined = undefined

  // What the consumer has not taken yet.
  private out: Array<B> = []
  /** Whether `out` holds anything from the upstream, not only heartbeats. */
  private fresh = false
  /** When the consumer was last handed something: heartbeats count from there. */
  private handedAt = 0
  private paused = false

  // The consumer. `waitingSince` is set while it is parked waiting for the upstream; `parkedMillis`
  // adds up the finished parked spells, and `progressMark` is its value at the last content (or
  // the response's start): `progress` and `firstChunk` count parked time only.
  private waiter: ((effect: Effect.Effect<Chunk.Chunk<B> | EndMark, E | GuardError>) => void) | undefined = undefined
  private waitingSince: number | undefined = undefined
  private parkedMillis = 0
  private progressMark = 0

  // The end: what the upstream said (`done`, or a failure), or the guard's own decision.
  private terminal: typeof done | Cause.Cause<E | GuardError> | undefined = undefined
  private decision: GuardError | undefined = undefined
  /** The consumer has seen the end: nothing is due any more. Until then `total` still runs. */
  private delivered = false
  private outcome: StreamOutcome | undefined = undefined
  private error: unknown = undefined

  // The transport.
  private controls: Control | undefined = undefined
  private transport: Fiber.RuntimeFiber<void, E> | undefined = undefined
  private closers: Array<() => void> | undefined = undefined
  private upstreamClosed = false

  // What the observer has not been told yet (observed streams only).
  private told: Array<Effect.Effect<void>> | undefined = undefined

  constructor(
    private readonly clock: Clock.Clock,
    private readonly deadlines: Deadlines,
    private readonly observer: StreamObserver.Service,
    policy: TimeoutPolicy.TimeoutPolicy,
    private readonly emit: Emit,
    options: Options | undefined
  ) {
    const now = clock.unsafeCurrentTimeMillis()
    this.startedAt = Math.min(options?.startedAt ?? now, now)
    this.limits = limitsOf(policy, options?.kind ?? "stream")
    this.heartbeat = emit === "events" && options?.heartbeat !== undefined && Duration.isFinite(options.heartbeat)
      ? Math.max(1, Duration.toMillis(options.heartbeat))
      : undefined
    this.signal = options?.signal
    this.onHeartbeat = options?.onHeartbeat
    this.lastEventAt = this.startedAt
    this.observed = observer !== StreamObserver.noopService
    this.info = { id: ++nextStreamId, labels: options?.labels ?? {}, startedAt: this.startedAt }
    // The request has been on its way since it began: the consumer waits from there.
    this.waitingSince = this.startedAt
  }

  private now(): number {
    return this.clock.unsafeCurrentTimeMillis()
  }

  // ---------------------------------------------------------------------------------------------
  // Feed: the transport's side
  // ---------------------------------------------------------------------------------------------

  closed(): boolean {
    return this.terminal !== undefined || this.decision !== undefined
  }

  phase(phase: Phase): void {
    if (this.closed()) return
    this.phaseName = phase
    this.phaseAt = this.now()
    this.reschedule()
  }

  opened(): void {
    if (this.closed() || this.openedAt !== undefined) return
    const now = this.now()
    this.phaseName = undefined
    this.openedAt = now
    this.lastEventAt = now
    this.progressMark = this.parkedNow(now)
    if (this.observed) this.tell(this.observer.opened(this.info, now - this.startedAt))
    // The phase deadline the heap holds is over for good: without moving it the scheduler would
    // wake for nothing (a connect limit of 10 s, once per stream).
    const next = this.earliest()
    this.deadlines.move(this, next.which === undefined ? undefined : next.at)
    this.wake(now)
  }

  events(events: ReadonlyArray<StreamEvent.StreamEvent<A>>): boolean {
    if (this.closed() || events.length === 0) return true
    if (this.openedAt === undefined) this.opened()
    const now = this.now()
    const gapMillis = now - this.lastEventAt
    const out = this.out
    let chunks = 0
    let keepalives = 0
    let bytes = 0
    for (let i = 0; i < events.length; i++) {
      const event = events[i]!
      bytes += event.bytes
      if (event._tag === "Chunk") {
        chunks++
        this.lastEvent = "chunk"
        out.push((this.emit === "content" ? event.value : event) as B)
      } else if (event._tag === "Keepalive") {
        keepalives++
        this.lastEvent = "keepalive"
        if (this.emit === "events") out.push(event as B)
      } else if (event._tag === "Done") {
        if (this.emit === "events") out.push(event as B)
        this.terminal = done
        break
      } else {
        this.terminal = Cause.fail(
          new UpstreamErrorSignal({
            errorType: event.errorType,
            providerMessage: event.message,
            payload: event.payload,
            elapsedMillis: now - this.startedAt,
            chunks: this.chunks + chunks
          }, true)
        )
        break
      }
    }
    this.chunks += chunks
    this.keepalives += keepalives
    this.bytes += bytes
    this.lastEventAt = now
    if (out.length > 0) this.fresh = true
    if (this.observed) this.tell(this.observer.received(this.info, { gapMillis, chunks, keepalives, bytes }))
    if (chunks > 0) {
      if (this.firstChunkAt === undefined) {
        this.firstChunkAt = now
        if (this.observed) this.tell(this.observer.firstChunk(this.info, now - this.startedAt))
      }
      this.progressMark = this.parkedNow(now)
    }
    if (this.terminal !== undefined) {
      if (this.terminal === done) this.settle("done")
      else this.settle("error_signal", Cause.squash(this.terminal))
      this.stopTransport()
      this.wake(now)
      // After done the response may still finish cleanly in this read: the transport reads on.
      return this.terminal === done
    }
    this.wake(now)
    if (out.length >= highWaterMark && !this.paused) {
      this.paused = true
      this.controls?.pause?.()
      return false
    }
    return true
  }

  end(): void {
    if (this.closed()) return
    const error = new UnexpectedEnd({ elapsedMillis: this.now() - this.startedAt, chunks: this.chunks }, true)
    this.terminal = Cause.fail(error)
    this.settle("unexpected_end", error)
    this.wake(this.now())
  }

  fail(error: E): void {
    if (this.closed()) return
    this.failCause(Cause.fail(error))
  }

  private failCause(cause: Cause.Cause<E>): void {
    this.terminal = cause
    const failure = Cause.failureOption(cause)
    if (Option.isSome(failure)) {
      this.settle(hasOutcome(failure.value) ? failure.value.outcome : "transport_error", failure.value)
    } else {
      this.settle("transport_error", Cause.squash(cause))
    }
    this.stopTransport()
    this.wake(this.now())
  }

  control(control: Control | undefined): void {
    this.controls = control
    if (control !== undefined && this.closed()) control.abort()
  }

  onClose(f: () => void): void {
    if (this.upstreamClosed) return f()
    ;(this.closers ??= []).push(f)
  }

  retrying(attempt: number, outcome: StreamOutcome, delayMillis: number): Effect.Effect<void> {
    return this.observer.retrying(this.info, { attempt, outcome, delayMillis })
  }

  // ---------------------------------------------------------------------------------------------
  // Deadlines
  // ---------------------------------------------------------------------------------------------

  /** Parked millis so far, the current spell included. */
  private parkedNow(now: number): number {
    return this.parkedMillis + (this.waitingSince === undefined ? 0 : Math.max(0, now - this.waitingSince))
  }

  /** The earliest deadline and the limit it belongs to. */
  private earliest(): { at: number; which: Deadline | undefined } {
    const limits = this.limits
    let at = Infinity
    let which: Deadline | undefined
    const consider = (deadline: number, name: Deadline) => {
      if (deadline < at) {
        at = deadline
        which = name
      }
    }
    // The phase and idle limits first: at the same millisecond, the more specific limit is the reason.
    const waiting = this.waitingSince
    if (this.terminal === undefined) {
      if (this.openedAt === undefined) {
        const phase = this.phaseName
        const limit = phase === undefined ? undefined : limits[phase]
        if (limit !== undefined) consider(this.phaseAt + limit, phase!)
      }
      // Parked: the idle limits run. Until the first content, `firstChunk` (when set) replaces them.
      if (waiting !== undefined) {
        if (this.firstChunkAt === undefined && limits.firstChunk !== undefined) {
          consider(waiting + limits.firstChunk - this.parkedMillis, "firstChunk")
        } else if (this.openedAt !== undefined) {
          if (limits.chunk !== undefined) consider(Math.max(waiting, this.lastEventAt) + limits.chunk, "chunk")
          if (limits.progress !== undefined) {
            consider(waiting + limits.progress - (this.parkedMillis - this.progressMark), "progress")
          }
        }
      }
    }
    // Once the upstream has ended, the consumer reads what it left within `total` alone.
    if (limits.total !== undefined) consider(this.startedAt + limits.total, "total")
    if (limits.request !== undefined) consider(this.startedAt + limits.request, "request")
    // Not a limit: the consumer gets a keepalive of its own when it has waited long enough. Beats of
    // a second or more fall on whole seconds (to the nearest), so one wake serves every stream due.
    const heartbeat = this.heartbeat
    if (heartbeat !== undefined && waiting !== undefined && this.openedAt !== undefined && !this.closed()) {
      const at = Math.max(waiting, this.openedAt, this.handedAt) + heartbeat
      consider(heartbeat >= beatGrid ? Math.round(at / beatGrid) * beatGrid : at, "heartbeat")
    }
    return { at, which }
  }

  private reschedule(): void {
    const { at } = this.earliest()
    if (at !== Infinity) this.deadlines.schedule(this, at)
  }

  due(now: number): number | undefined {
    if (this.decision !== undefined || this.delivered) return undefined
    const { at, which } = this.earliest()
    if (which === undefined) return undefined
    if (at > now) return at
    if (which === "heartbeat") {
      this.handedAt = now
      if (this.onHeartbeat?.() !== true) {
        this.out.push(beat as B)
        this.wake(now)
      }
      const next = this.earliest()
      return next.which === undefined ? undefined : next.at
    }
    this.decide(which, now)
    return undefined
  }

  private details(limitMillis: number, now: number): TimeoutDetails {
    return {
      limitMillis,
      elapsedMillis: now - this.startedAt,
      chunks: this.chunks,
      sinceLastEventMillis: now - this.lastEventAt,
      lastEvent: this.lastEvent
    }
  }

  /** A limit expired: the first decision wins, the transport stops at once, the consumer hears it. */
  private decide(which: Exclude<Deadline, "heartbeat">, now: number): void {
    const limit = this.limits[which]!
    const Timeout = timeouts[which] as new(details: TimeoutDetails, disableValidation: boolean) => GuardError
    this.stop(new Timeout(this.details(limit, now), true), now)
  }

  /** Stopped from outside, through the signal. */
  private aborted(): void {
    if (this.decision !== undefined || this.delivered) return
    const now = this.now()
    const reason = this.signal?.reason
    this.stop(
      new StreamAborted({
        reason: reason instanceof Error ? reason.message : String(reason ?? "aborted"),
        elapsedMillis: now - this.startedAt,
        chunks: this.chunks
      }, true),
      now
    )
  }

  private stop(error: GuardError, now: number): void {
    this.decision = error
    // It may come after the upstream's own end, which the consumer had not reached yet: it wins.
    this.outcome = error.outcome
    this.error = error
    this.out = []
    this.stopTransport()
    this.wake(now)
  }

  private endTransport(): void {
    const controls = this.controls
    if (controls === undefined) return
    if (this.terminal === done && this.decision === undefined && controls.release !== undefined) controls.release()
    else controls.abort()
  }

  /** Records how the stream ended; the first to decide wins. */
  private settle(outcome: StreamOutcome, error?: unknown): void {
    if (this.outcome !== undefined) return
    this.outcome = outcome
    this.error = error
  }

  /**
   * Stops the transport now: aborts the connection (after the upstream's own done, lets it finish
   * cleanly if it can), and interrupts a transport fiber (its finalizers run on close).
   */
  private stopTransport(): void {
    this.endTransport()
    this.transport?.unsafeInterruptAsFork(FiberId.none)
  }

  // ---------------------------------------------------------------------------------------------
  // The consumer's side
  // ---------------------------------------------------------------------------------------------

  /**
   * Wakes a parked consumer when there is something to hand over, something to tell the observer,
   * or the end. After a keepalive-only read of an unobserved stream it keeps waiting (the chunk
   * timer restarts, lazily).
   */
  private wake(now: number): void {
    const waiter = this.waiter
    if (waiter === undefined) return
    if (this.out.length === 0 && this.told === undefined && !this.closed()) return
    // Woken for a heartbeat or the observer only, the consumer is still waiting for the upstream:
    // its wait goes on from where it began, so neither resets a limit.
    if (this.fresh || this.closed()) this.unpark(now)
    else this.waiter = undefined
    waiter(this.next)
  }

  private unpark(now: number): void {
    if (this.waitingSince !== undefined) {
      this.parkedMillis += Math.max(0, now - this.waitingSince)
      this.waitingSince = undefined
    }
    this.waiter = undefined
  }

  /** What the consumer gets now: the buffer, or the end once the transport has closed. */
  readonly next: Effect.Effect<Chunk.Chunk<B> | EndMark, E | GuardError> = Effect.suspend(() => {
    if (this.told !== undefined) return Effect.zipRight(this.flushTold(), this.next)
    if (this.decision !== undefined) return this.endWith(Cause.fail(this.decision))
    if (this.out.length > 0) return this.take()
    const terminal = this.terminal
    if (terminal === done) {
      this.delivered = true
      return Effect.as(this.closeUpstream, endMark)
    }
    if (terminal !== undefined) return this.endWith(terminal)
    return this.park
  })

  private endWith(cause: Cause.Cause<E | GuardError>): Effect.Effect<never, E | GuardError> {
    this.delivered = true
    return Effect.zipRight(this.closeUpstream, Effect.failCause(cause))
  }

  private take(): Effect.Effect<Chunk.Chunk<B>> {
    const chunk = Chunk.unsafeFromArray(this.out)
    this.out = []
    this.fresh = false
    this.handedAt = this.now()
    if (this.paused) {
      this.paused = false
      this.controls?.resume?.()
    }
    return Effect.succeed(chunk)
  }

  /**
   * Waits for something to hand over. No canceler: a consumer interrupted here is closing the stream,
   * and `close` lets go of the waiter; a pull after that parks afresh.
   */
  private readonly park: Effect.Effect<Chunk.Chunk<B> | EndMark, E | GuardError> = Effect.async((resume) => {
    const now = this.now()
    // The first pull waits from the request's start (set when the state was made).
    this.waitingSince ??= now
    this.waiter = resume
    this.reschedule()
  })

  /** The first pull: tells the observer, starts the transport and the deadlines. */
  start<R>(open: (feed: Feed<A, E>) => Effect.Effect<void, E, R>): Effect.Effect<void, never, R> {
    const signal = this.signal
    if (signal !== undefined) {
      if (signal.aborted) this.aborted()
      else {
        this.onAbort = () => this.aborted()
        signal.addEventListener("abort", this.onAbort, { once: true })
      }
    }
    return Effect.flatMap(
      this.observed ? this.observer.started(this.info) : Effect.void,
      () =>
        Effect.map(Effect.forkDaemon(open(this)), (fiber) => {
          this.transport = fiber
          fiber.addObserver((exit) => {
            if (this.transport === fiber) this.transport = undefined
            if (Exit.isFailure(exit) && !Cause.isInterruptedOnly(exit.cause) && !this.closed()) {
              this.failCause(exit.cause)
            }
          })
          this.reschedule()
        })
    )
  }

  /** Stops the transport and waits until it has let go of everything (idempotent). */
  private readonly closeUpstream: Effect.Effect<void> = Effect.suspend(() => {
    if (this.upstreamClosed) return Effect.void
    this.upstreamClosed = true
    this.deadlines.remove(this)
    if (this.onAbort !== undefined) this.signal?.removeEventListener("abort", this.onAbort)
    this.endTransport()
    const closers = this.closers
    this.closers = undefined
    const release = closers === undefined ? Effect.void : Effect.sync(() => {
      for (const f of closers) f()
    })
    const fiber = this.transport
    return fiber === undefined ? release : Effect.zipRight(Fiber.interrupt(fiber), release)
  })

  /** On every end of the stream: the transport closed, then the observer told, exactly once. */
  close(exit: Exit.Exit<unknown, unknown>): Effect.Effect<void> {
    // Undecided, the stream was ended from outside: interrupted (its run was, or its consumer was
    // still waiting for the upstream when it was let go), or the consumer stopped (it took only
    // what it needed, or failed itself).
    const interrupted = (Exit.isFailure(exit) && Cause.isInterruptedOnly(exit.cause)) || this.waiter !== undefined
    this.outcome ??= interrupted ? "interrupted" : "consumer_stopped"
    return Effect.zipRight(
      this.closeUpstream,
      Effect.suspend(() => {
        this.unpark(this.now())
        return this.observed
          ? Effect.zipRight(this.flushTold(), this.observer.ended(this.info, this.ended()))
          : Effect.void
      })
    )
  }

  private tell(effect: Effect.Effect<void>): void {
    ;(this.told ??= []).push(effect)
  }

  private flushTold(): Effect.Effect<void> {
    const told = this.told
    this.told = undefined
    return told === undefined ? Effect.void : Effect.forEach(told, (effect) => effect, { discard: true })
  }

  /** The end as the observer hears it. */
  private ended(): StreamObserver.Ended {
    const outcome = this.outcome!
    const now = this.now()
    return {
      outcome,
      durationMillis: now - this.startedAt,
      timeToFirstChunkMillis: this.firstChunkAt === undefined ? undefined : this.firstChunkAt - this.startedAt,
      chunks: this.chunks,
      keepalives: this.keepalives,
      bytes: this.bytes,
      error: this.error
    }
  }
}

/**
 * What a guarded stream needs, read from context at its first pull.
 *
 * @internal
 */
export interface Setup<A, E, R> {
  readonly open: (feed: Feed<A, E>) => Effect.Effect<void, E, R>
  readonly policy: TimeoutPolicy.TimeoutPolicy
  readonly options?: Options | undefined
}

/**
 * A guarded stream of what `open` feeds. `setup` runs at the first pull, with the Clock and the
 * observer; `open` then runs in a fiber of its own: it may take its time (a pool wait, a
 * connection, retries) and is cut short by any decision. A socket transport returns once the
 * response started and feeds from its callbacks; a pump keeps running until its source ends.
 *
 * Built as one channel that writes what each pull hands over: no `Stream.unwrap`, no per-pull
 * `Option` failures, so an idle stream is its state and the consumer's parked pull.
 *
 * @internal
 */
export const make = <A, B, E, R, R2>(
  setup: Effect.Effect<Setup<A, E, R>, never, R2>,
  emit: Emit
): Stream.Stream<B, E | GuardError, R | R2> =>
  Stream.fromChannel(Channel.suspend(() => {
    let state: GuardedStream<A, B, E> | undefined
    const first: Effect.Effect<Chunk.Chunk<B> | EndMark, E | GuardError, R | R2> = Effect.flatMap(
      Effect.zip(Effect.zip(Effect.clock, StreamObserver.StreamObserver), setup),
      ([[clock, observer], { open, options, policy }]) => {
        state = new GuardedStream<A, B, E>(clock, forClock(clock), options?.observer ?? observer, policy, emit, options)
        return Effect.zipRight(state.start(open), state.next)
      }
    )
    const onValue = (
      value: Chunk.Chunk<B> | EndMark
    ): Channel.Channel<Chunk.Chunk<B>, unknown, E | GuardError, unknown, unknown, unknown, R | R2> =>
      value === endMark ? Channel.void : Channel.zipRight(Channel.write(value), loop)
    const loop: Channel.Channel<Chunk.Chunk<B>, unknown, E | GuardError, unknown, unknown, unknown, R | R2> = Channel
      .suspend(() => Channel.flatMap(Channel.fromEffect(state === undefined ? first : state.next), onValue))
    return Channel.ensuringWith(loop, (exit) => state === undefined ? Effect.void : state.close(exit))
  }))
