/**
 * The timing rules of a guarded stream, in one place: what the stream knows of its own time (when
 * it began, opened, was last heard from and was waited for, what it counted, how it ended, what its
 * observer has yet to hear) and the deadline each limit makes of it (`earliest`). `GuardedStream`
 * extends it with what acts on it (feeding it, handing its buffer over, stopping its transport).
 *
 * @internal
 */
import type { Deadlines, Timed } from "@streamguard/kernel/Deadlines"
import type * as Cause from "effect/Cause"
import type * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import type { GuardError } from "../GuardError.js"
import type * as StreamEvent from "../StreamEvent.js"
import * as StreamObserver from "../StreamObserver.js"
import type { StreamOutcome } from "../StreamOutcome.js"
import type { TimeoutDetails } from "../TimeoutError.js"
import { SlowStream } from "../TimeoutError.js"
import type * as TimeoutPolicy from "../TimeoutPolicy.js"
import type { Emit, Options, Phase } from "./feed.js"
import type { Deadline, Limits } from "./limits.js"
import { limitsOf, timeout } from "./limits.js"

/**
 * What the upstream said last when it said it was done.
 *
 * @internal
 */
export const done: unique symbol = Symbol.for("@streamguard/core/Guard/done")

/** Heartbeats of at least this many millis fall on its multiples. */
const beatGrid = 1000

let nextStreamId = 0

/** @internal */
export abstract class StreamTiming<E> implements Timed {
  heapIndex = -1
  heapAt = Infinity

  readonly startedAt: number
  protected readonly limits: Limits
  protected readonly heartbeat: number | undefined
  protected readonly info: StreamObserver.StreamInfo
  /** Whether anybody listens: unobserved streams build no observer effects at all. */
  protected readonly observed: boolean
  /** What the observer has not been told yet (observed streams only). */
  protected told: Array<Effect.Effect<void>> | undefined = undefined

  // Where the request is.
  protected phaseName: Phase | undefined = undefined
  protected phaseAt = 0
  protected openedAt: number | undefined = undefined

  // What arrived.
  protected chunks = 0
  protected keepalives = 0
  protected bytes = 0
  protected lastEventAt: number
  protected lastEvent: "none" | "chunk" | "keepalive" = "none"
  protected firstChunkAt: number | undefined = undefined
  /** When the consumer was last handed something: heartbeats count from there. */
  protected handedAt = 0
  /** Whether the transport is paused because the consumer is behind. */
  protected paused = false
  /** Which keepalives are pings (the observer counts only those); every one without it. */
  protected readonly isPing: ((event: StreamEvent.StreamEvent<any>) => boolean) | undefined

  // The `reasoning` limit: `isReasoning` is asked of content until the answer begins (then, or
  // without the limit, it is unset and costs nothing); `reasoningMark` is `parkedNow` at the first
  // reasoning content.
  protected isReasoning: ((value: any) => boolean) | undefined
  protected reasoningMark: number | undefined = undefined

  // The `minRate` window: it began at `rateFrom` with `rateMark` content events counted; `rateHeld`
  // says the transport was paused in it (the consumer, not the upstream, was slow).
  protected rateFrom: number | undefined = undefined
  protected rateMark = 0
  protected rateHeld = false

  // The consumer's waits. `waitingSince` is set while it is parked waiting for the upstream;
  // `parkedMillis` adds up the finished parked spells, and `progressMark` is its value at the last
  // content (or the response's start): `progress` and `firstChunk` count parked time only.
  protected waitingSince: number | undefined
  protected parkedMillis = 0
  protected progressMark = 0

  // The end: what the upstream said (`done`, or a failure), and the outcome the first to decide set.
  protected terminal: typeof done | Cause.Cause<E | GuardError> | undefined = undefined
  protected outcome: StreamOutcome | undefined = undefined
  protected error: unknown = undefined

  constructor(
    protected readonly clock: Clock.Clock,
    protected readonly deadlines: Deadlines,
    protected readonly observer: StreamObserver.Service,
    policy: TimeoutPolicy.TimeoutPolicy,
    emit: Emit,
    options: Options | undefined
  ) {
    const now = clock.unsafeCurrentTimeMillis()
    this.startedAt = Math.min(options?.startedAt ?? now, now)
    this.limits = limitsOf(policy, options?.kind ?? "stream")
    this.heartbeat = emit === "events" && options?.heartbeat !== undefined && Duration.isFinite(options.heartbeat)
      ? Math.max(1, Duration.toMillis(options.heartbeat))
      : undefined
    this.lastEventAt = this.startedAt
    this.observed = observer !== StreamObserver.noopService
    this.isPing = options?.isPing
    this.isReasoning = this.limits.reasoning === undefined ? undefined : options?.isReasoning
    this.info = { id: ++nextStreamId, labels: options?.labels ?? {}, startedAt: this.startedAt }
    // The request has been on its way since it began: the consumer waits from there.
    this.waitingSince = this.startedAt
  }

  /** Whether the stream has ended (the upstream's end, or the guard's decision). */
  abstract closed(): boolean

  /** Acts on what is due at `now`; returns the next moment to look again (see `Timed`). */
  abstract due(now: number): number | undefined

  /** Ends the stream with the guard's own decision. */
  protected abstract stop(error: GuardError, now: number): void

  /** The request entered a phase before the response: that phase's limit counts from now. */
  phase(phase: Phase): void {
    if (this.closed()) return
    this.phaseName = phase
    this.phaseAt = this.now()
    this.reschedule()
  }

  /** Makes sure the scheduler looks at this stream by its earliest deadline. */
  protected reschedule(): void {
    const { at } = this.earliest()
    if (at !== Infinity) this.deadlines.schedule(this, at)
  }

  /** A limit expired: the first decision wins, the transport stops at once, the consumer hears it. */
  protected decide(which: Exclude<Deadline, "heartbeat">, now: number): void {
    if (which !== "minRate") return this.stop(timeout(which, this.details(this.limits[which]!, now)), now)
    const rate = this.limits.minRate!
    const details = this.details(rate.window, now)
    this.stop(
      new SlowStream({ ...details, minEvents: rate.events, windowEvents: this.chunks - this.rateMark }, true),
      now
    )
  }

  /**
   * Content arrived at `now` (`before` content events had come until this read): ends the
   * `firstChunk` phase, opens the first `minRate` window after the first content, and resets `progress`.
   */
  protected progressed(now: number, before: number): void {
    if (this.firstChunkAt === undefined) {
      this.firstChunkAt = now
      if (this.observed) this.tell(this.observer.firstChunk(this.info, now - this.startedAt))
      const rate = this.limits.minRate
      if (rate !== undefined) {
        this.rateFrom = now
        this.rateMark = before + 1
        // A deadline content makes rather than moves: the heap must learn it now.
        this.deadlines.schedule(this, now + rate.window)
      }
    }
    this.progressMark = this.parkedNow(now)
  }

  /** Tells reasoning from answer content, until the answer begins (which ends the `reasoning` limit). */
  protected classify(value: unknown, now: number): void {
    if (this.isReasoning!(value)) this.reasoningMark ??= this.parkedNow(now)
    else {
      this.isReasoning = undefined
      this.reasoningMark = undefined
    }
  }

  /**
   * The `minRate` window ended at `now`: when it brought enough content (or the transport was
   * paused in it), the next window begins and this returns `true`; else the stream is too slow.
   */
  protected windowEnded(now: number): boolean {
    if (this.chunks - this.rateMark < this.limits.minRate!.events && !this.rateHeld) return false
    this.rateFrom = now
    this.rateMark = this.chunks
    this.rateHeld = this.paused
    return true
  }

  protected now(): number {
    return this.clock.unsafeCurrentTimeMillis()
  }

  /** Parked millis so far, the current spell included. */
  protected parkedNow(now: number): number {
    return this.parkedMillis + (this.waitingSince === undefined ? 0 : Math.max(0, now - this.waitingSince))
  }

  /** The earliest deadline and the limit it belongs to. */
  protected earliest(): { at: number; which: Deadline | undefined } {
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
          // Reasoning content resets `progress` but not this: it counts from the first reasoning.
          if (this.reasoningMark !== undefined) {
            consider(waiting + limits.reasoning! - (this.parkedMillis - this.reasoningMark), "reasoning")
          }
        }
      }
      // Not an idle limit: the upstream's pace, checked at the end of each window.
      if (this.rateFrom !== undefined) consider(this.rateFrom + limits.minRate!.window, "minRate")
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

  /** What a timeout error says of the stream at `now`. */
  protected details(limitMillis: number, now: number): TimeoutDetails {
    return {
      limitMillis,
      elapsedMillis: now - this.startedAt,
      chunks: this.chunks,
      sinceLastEventMillis: now - this.lastEventAt,
      lastEvent: this.lastEvent
    }
  }

  /** Records how the stream ended; the first to decide wins. */
  protected settle(outcome: StreamOutcome, error?: unknown): void {
    if (this.outcome !== undefined) return
    this.outcome = outcome
    this.error = error
  }

  /** Tells the observer that the attempt that failed with `outcome` is retried after `delayMillis`. */
  retrying(attempt: number, outcome: StreamOutcome, delayMillis: number): Effect.Effect<void> {
    return this.observer.retrying(this.info, { attempt, outcome, delayMillis })
  }

  /** Keeps `effect` for the observer until the consumer's next pull runs it. */
  protected tell(effect: Effect.Effect<void>): void {
    ;(this.told ??= []).push(effect)
  }

  protected flushTold(): Effect.Effect<void> {
    const told = this.told
    this.told = undefined
    return told === undefined ? Effect.void : Effect.forEach(told, (effect) => effect, { discard: true })
  }

  /** The end as the observer hears it. */
  protected ended(): StreamObserver.Ended {
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
