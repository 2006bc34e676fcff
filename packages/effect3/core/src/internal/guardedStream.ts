/**
 * The lean engine behind every guarded stream: one state object per stream, fed synchronously by
 * its transport (a socket's callbacks, or a fiber pumping an Effect stream), read by the consumer's
 * pull, and timed by the Clock's one deadline scheduler.
 *
 * - The transport pushes each network read's events (`events`); the state counts them, keeps what
 *   the consumer gets, and wakes the consumer if it is waiting. No Effect runs per read.
 * - The consumer's pull hands over everything buffered as one `Chunk`, or the end, or parks in one
 *   `Effect.async` until there is something to hand over.
 * - Every limit of the policy is a deadline in `due(now)` (the rules are in `StreamTiming`); the first decision wins, aborts the
 *   transport at once (the socket is destroyed before the consumer hears of it) and fails the pull.
 * - The idle limits (`firstChunk`, `chunk`, `progress`) measure the upstream's silence while the
 *   consumer waits for it: they run only while the consumer is parked, so a slow consumer is not
 *   taken for a silent upstream. `total` and the phases before the response always run.
 * - Past a high-water mark the transport is paused; it resumes when the consumer takes the buffer.
 *
 * @internal
 */
import type { Deadlines } from "@streamguard/kernel/Deadlines"
import * as Cause from "effect/Cause"
import * as Chunk from "effect/Chunk"
import type * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as FiberId from "effect/FiberId"
import * as Option from "effect/Option"
import { StreamAborted, UnexpectedEnd, UpstreamErrorSignal } from "../GuardError.js"
import type { GuardError } from "../GuardError.js"
import * as StreamEvent from "../StreamEvent.js"
import type * as StreamObserver from "../StreamObserver.js"
import { hasOutcome } from "../StreamOutcome.js"
import type * as TimeoutPolicy from "../TimeoutPolicy.js"
import type { Control, Emit, Feed, Options } from "./feed.js"
import { highWaterMark } from "./feed.js"
import { done, StreamTiming } from "./streamTiming.js"

/** The keepalive a heartbeat hands over: not from the upstream, so it counts nowhere. */
const beat = StreamEvent.Keepalive({ bytes: 0 })

/** What the consumer's pull succeeds with once the stream ended: the channel then ends. */
export const endMark: unique symbol = Symbol.for("@streamguard/core/Guard/end")

/** @internal */
export type EndMark = typeof endMark

/**
 * One guarded stream's state. `A` is the upstream's content type, `B` what the consumer gets.
 *
 * @internal
 */
export class GuardedStream<A, B, E> extends StreamTiming<E> implements Feed<A, E> {
  private readonly onHeartbeat: (() => boolean) | undefined

  // What the consumer has not taken yet.
  private out: Array<B> = []
  /** Whether `out` holds anything from the upstream, not only heartbeats. */
  private fresh = false

  // The consumer, while it is parked.
  private waiter: ((effect: Effect.Effect<Chunk.Chunk<B> | EndMark, E | GuardError>) => void) | undefined = undefined

  // The guard's own decision, and whether the consumer has seen the end: nothing is due any more
  // after that. Until then `total` still runs.
  private decision: GuardError | undefined = undefined
  private delivered = false

  // The transport.
  private controls: Control | undefined = undefined
  private transport: Fiber.RuntimeFiber<void, E> | undefined = undefined
  private closers: Array<() => void> | undefined = undefined
  private upstreamClosed = false

  constructor(
    clock: Clock.Clock,
    deadlines: Deadlines,
    observer: StreamObserver.Service,
    policy: TimeoutPolicy.TimeoutPolicy,
    private readonly emit: Emit,
    options: Options | undefined
  ) {
    super(clock, deadlines, observer, policy, emit, options)
    this.onHeartbeat = options?.onHeartbeat
  }

  // ---------------------------------------------------------------------------------------------
  // Feed: the transport's side
  // ---------------------------------------------------------------------------------------------

  closed(): boolean {
    return this.terminal !== undefined || this.decision !== undefined
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
        if (this.isReasoning !== undefined) this.classify(event.value, now)
        out.push((this.emit === "content" ? event.value : event) as B)
      } else if (event._tag === "Keepalive") {
        if (this.isPing === undefined || this.isPing(event)) keepalives++
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
    if (chunks > 0) this.progressed(now, this.chunks - chunks)
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
      this.rateHeld = true
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

  // ---------------------------------------------------------------------------------------------
  // Deadlines
  // ---------------------------------------------------------------------------------------------

  due(now: number): number | undefined {
    if (this.decision !== undefined || this.delivered) return undefined
    const { at, which } = this.earliest()
    if (which === undefined) return undefined
    if (at > now) return at
    // Neither the heartbeat nor a `minRate` window that brought enough content ends anything.
    if (which === "heartbeat" || (which === "minRate" && this.windowEnded(now))) {
      if (which === "heartbeat") this.beat(now)
      const next = this.earliest()
      return next.which === undefined ? undefined : next.at
    }
    this.decide(which, now)
    return undefined
  }

  private beat(now: number): void {
    this.handedAt = now
    if (this.onHeartbeat?.() !== true) {
      this.out.push(beat as B)
      this.wake(now)
    }
  }

  /** Stopped from outside (its abort signal fired): ends with `StreamAborted`. */
  abort(reason: unknown): void {
    if (this.decision !== undefined || this.delivered) return
    const now = this.now()
    this.stop(
      new StreamAborted({
        reason: reason instanceof Error ? reason.message : String(reason ?? "aborted"),
        elapsedMillis: now - this.startedAt,
        chunks: this.chunks
      }, true),
      now
    )
  }

  protected stop(error: GuardError, now: number): void {
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
}
