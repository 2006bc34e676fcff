/**
 * The lean engine behind every guarded stream, with no Effect: one state object per stream, fed
 * synchronously by its transport (a socket's callbacks, or a fiber pumping a stream), read by its
 * consumer, and timed by its clock's one deadline scheduler. A line wraps it in its own stream
 * type: its pull hands over `take()`, or the `ending()`, or parks with `wait` until woken.
 *
 * - The transport pushes each network read's events (`events`); the state counts them, keeps what
 *   the consumer gets, and wakes the consumer if it is waiting.
 * - Every limit of the policy is a deadline in `due(now)` (the rules are in `StreamTiming`); the
 *   first decision wins, stops the transport at once (the socket is destroyed before the consumer
 *   hears of it) and ends the consumer's next pull.
 * - The idle limits (`firstChunk`, `chunk`, `progress`) measure the upstream's silence while the
 *   consumer waits for it: they run only while the consumer is parked, so a slow consumer is not
 *   taken for a silent upstream. `total` and the phases before the response always run.
 * - Past a high-water mark the transport is paused; it resumes when the consumer takes the buffer.
 * - Safe to re-enter: every method finishes its changes before it wakes the consumer, which may
 *   run (and pull, and close the stream) before the waking call returns.
 *
 * @since 0.1.0
 */
import type { Deadlines } from "./Deadlines.js"
import type { Control, Emit, Feed, Options } from "./Feed.js"
import { highWaterMark } from "./Feed.js"
import type { GuardErrors, HasOutcome } from "./GuardErrors.js"
import type { Limits } from "./Limits.js"
import * as Messages from "./Messages.js"
import * as StreamEvent from "./StreamEvent.js"
import type { StreamOutcome } from "./StreamOutcome.js"
import { outcomeOf } from "./StreamOutcome.js"
import type { Ending } from "./StreamTiming.js"
import { done, StreamTiming } from "./StreamTiming.js"

/**
 * A parked consumer, called once when there is something to hand over. Any function is one: a
 * line that parks with a continuation taking an argument overrides `GuardedStream.resume`.
 *
 * @since 0.1.0
 * @category models
 */
export type Waiter = (...args: ReadonlyArray<never>) => void

/** The keepalive a heartbeat hands over: not from the upstream, so it counts nowhere. */
const beat = StreamEvent.Keepalive({ bytes: 0 })

/**
 * One guarded stream's state. `A` is the upstream's content type, `B` what the consumer gets (the
 * content, or the events), `E` the transport's errors, `GE` the line's errors for the guard's own
 * decisions (made by the `GuardErrors` it is given).
 *
 * @since 0.1.0
 * @category models
 */
export class GuardedStream<A, B, E, GE extends HasOutcome> extends StreamTiming<GE> implements Feed<A, E> {
  private readonly onHeartbeat: (() => boolean) | undefined

  // What the consumer has not taken yet.
  private out: Array<B> = []
  /** Whether `out` holds anything from the upstream, not only heartbeats. */
  private fresh = false

  // The consumer, while it is parked.
  private waiter: Waiter | undefined = undefined

  // The guard's own decision, and whether the consumer has seen the end: nothing is due any more
  // after that. Until then `total` still runs.
  private decision: GE | undefined = undefined
  private delivered = false

  // The transport.
  private controls: Control | undefined = undefined
  /** What `onClose` was given before the transport closed: run at `release`. */
  private closers: Array<() => void> | undefined = undefined
  private upstreamClosed = false

  constructor(
    deadlines: Deadlines,
    limits: Limits,
    private readonly emit: Emit,
    options: Options | undefined,
    heartbeat: number | undefined,
    errors: GuardErrors<GE>,
    observed: boolean
  ) {
    super(deadlines, limits, emit, options, heartbeat, errors, observed)
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
    if (this.overdue(now)) return
    this.open(now)
    this.wake(now)
  }

  /** The response started at `now`: the phases are over, the idle limits count from here. */
  private open(now: number): void {
    this.phaseName = undefined
    this.openedAt = now
    this.lastEventAt = now
    this.progressMark = this.parkedNow(now)
    if (this.observed) this.note({ _tag: "opened", openedAfterMillis: now - this.startedAt })
    // The phase deadline the heap holds is over for good: without moving it the scheduler would
    // wake for nothing (a connect limit of 10 s, once per stream).
    const next = this.earliest()
    this.deadlines.move(this, next.which === undefined ? undefined : next.at)
  }

  events(events: ReadonlyArray<StreamEvent.StreamEvent<A>>): boolean {
    if (this.closed() || events.length === 0) return true
    const now = this.now()
    if (this.overdue(now)) return true
    if (this.openedAt === undefined) this.open(now)
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
        const error = this.errors.upstreamErrorSignal({
          errorType: event.errorType,
          providerMessage: event.message,
          payload: event.payload,
          elapsedMillis: now - this.startedAt,
          chunks: this.chunks + chunks
        })
        this.terminal = { error, cause: undefined }
        break
      }
    }
    this.chunks += chunks
    this.keepalives += keepalives
    this.bytes += bytes
    this.lastEventAt = now
    if (out.length > 0) this.fresh = true
    if (this.observed) this.note({ _tag: "received", received: { gapMillis, chunks, keepalives, bytes } })
    if (chunks > 0) this.progressed(now, this.chunks - chunks)
    const terminal = this.terminal
    if (terminal !== undefined) {
      if (terminal === done) this.settle("done")
      else this.settle("error_signal", terminal.error)
      this.stopTransport()
      this.wake(now)
      // After done the response may still finish cleanly in this read: the transport reads on.
      return terminal === done
    }
    // Paused before the wake: a consumer that runs at once takes `out` and resumes the transport,
    // which then reads on (this returns `true`).
    const pause = out.length >= highWaterMark && !this.paused
    if (pause) {
      this.paused = true
      this.rateHeld = true
      this.controls?.pause?.()
    }
    this.wake(now)
    return !(pause && this.paused)
  }

  end(): void {
    if (this.closed()) return
    const now = this.now()
    if (this.overdue(now)) return
    const error = this.errors.unexpectedEnd({ elapsedMillis: now - this.startedAt, chunks: this.chunks })
    this.terminal = { error, cause: undefined }
    this.settle("unexpected_end", error)
    this.wake(now)
  }

  fail(error: E): void {
    this.failCause(undefined, error, outcomeOf(error) ?? "transport_error")
  }

  /**
   * The transport failed in a way its line tells (a defect, say): the consumer ends with `cause`
   * (the line's own), the observer hears `error` and `outcome`.
   */
  failCause(cause: unknown, error: unknown, outcome: StreamOutcome): void {
    if (this.closed() || this.overdue(this.now())) return
    this.terminal = { error, cause }
    this.settle(outcome, error)
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
      this.errors.streamAborted({
        reason: Messages.abortReason(reason),
        elapsedMillis: now - this.startedAt,
        chunks: this.chunks
      }),
      now
    )
  }

  /**
   * Ends the stream with `StreamAborted` when `signal` aborts (at once if it has); returns what
   * stops listening, for when the stream closes.
   */
  abortOn(signal: AbortSignal | undefined): (() => void) | undefined {
    if (signal === undefined) return undefined
    if (signal.aborted) {
      this.abort(signal.reason)
      return undefined
    }
    const onAbort = () => this.abort(signal.reason)
    signal.addEventListener("abort", onAbort, { once: true })
    return () => signal.removeEventListener("abort", onAbort)
  }

  protected stop(error: GE, now: number): void {
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
   * cleanly if it can). A line whose transport also runs in a fiber of its own stops that too.
   */
  protected stopTransport(): void {
    this.endTransport()
  }

  // ---------------------------------------------------------------------------------------------
  // The consumer's side
  // ---------------------------------------------------------------------------------------------

  /**
   * Wakes a parked consumer when there is something to hand over, something to tell the observer,
   * or the end. After a keepalive-only read of an unobserved stream it keeps waiting (the chunk
   * timer restarts, lazily). Within a pass of the scheduler, the consumer is woken once every due
   * decision has closed its transport.
   */
  private wake(now: number): void {
    const waiter = this.waiter
    if (waiter === undefined) return
    if (this.out.length === 0 && this.notes === undefined && !this.closed()) return
    // Woken for a heartbeat or the observer only, the consumer is still waiting for the upstream:
    // its wait goes on from where it began, so neither resets a limit.
    if (this.fresh || this.closed()) this.unpark(now)
    else this.waiter = undefined
    const deadlines = this.deadlines
    if (deadlines.running) deadlines.afterDue(() => this.resume(waiter))
    else this.resume(waiter)
  }

  /**
   * Resumes a parked consumer. A line whose park hands it a continuation that takes an argument
   * (Effect's `resume`, which takes the effect to go on with) calls it with its pull here.
   */
  protected resume(waiter: Waiter): void {
    waiter()
  }

  private unpark(now: number): void {
    if (this.waitingSince !== undefined) {
      this.parkedMillis += Math.max(0, now - this.waitingSince)
      this.waitingSince = undefined
    }
    this.waiter = undefined
  }

  /** Whether the consumer is parked, waiting for the upstream. */
  get waiting(): boolean {
    return this.waiter !== undefined
  }

  /**
   * Hands over everything buffered, once (`undefined` when nothing is), and resumes a transport
   * paused for the consumer.
   */
  take(): Array<B> | undefined {
    const items = this.out
    if (items.length === 0) return undefined
    this.out = []
    this.fresh = false
    this.handedAt = this.now()
    if (this.paused) {
      this.paused = false
      this.controls?.resume?.()
    }
    return items
  }

  /**
   * How the stream ended, once nothing is left to take (`undefined` while it runs): the guard's
   * decision, else the upstream's end. From then on nothing is due.
   */
  ending(): Ending | undefined {
    const decision = this.decision
    if (decision !== undefined) {
      this.delivered = true
      return { error: decision, cause: undefined }
    }
    const terminal = this.terminal
    if (terminal !== undefined) this.delivered = true
    return terminal
  }

  /**
   * Parks the consumer until there is something to hand over: `waiter` is called once (through
   * `resume`), then the consumer pulls again. The first pull waits from the request's start.
   */
  wait(waiter: Waiter): void {
    this.waitingSince ??= this.now()
    this.waiter = waiter
    this.reschedule()
  }

  /**
   * Stops the transport and takes the stream out of the scheduler, once: `true` the first time.
   * The functions `onClose` was given run at `release`, once the line has let go of the transport.
   */
  closeTransport(): boolean {
    if (this.upstreamClosed) return false
    this.upstreamClosed = true
    this.deadlines.remove(this)
    this.endTransport()
    return true
  }

  /** Runs what `onClose` was given before the transport closed (a pool slot's release), once. */
  release(): void {
    const closers = this.closers
    this.closers = undefined
    if (closers !== undefined) { for (const f of closers) f() }
  }

  /**
   * The consumer let go of the stream. Undecided, it was ended from outside: `interrupted` (its
   * run was, or it was still waiting for the upstream when it was let go), or `consumer_stopped`
   * (it took only what it needed, or failed itself).
   */
  leave(interrupted: boolean): void {
    this.outcome ??= interrupted || this.waiter !== undefined ? "interrupted" : "consumer_stopped"
  }

  /** After the transport closed: the consumer waits no more (its last wait ends now). */
  finish(): void {
    this.unpark(this.now())
  }
}
