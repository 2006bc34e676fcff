/**
 * The timing rules of a guarded stream, in one place: what the stream knows of its own time (when
 * it began, opened, was last heard from and was waited for, what it counted, how it ended, what its
 * observer has yet to hear) and the deadline each limit makes of it (`earliest`). `GuardedStream`
 * extends it with what acts on it (feeding it, handing its buffer over, stopping its transport).
 *
 * @since 0.1.0
 */
import type { Clock } from "./Clock.js"
import type { Deadlines, Timed } from "./Deadlines.js"
import type { Emit, Options } from "./Feed.js"
import type { GuardErrors, HasOutcome } from "./GuardErrors.js"
import type { Deadline, Limits, Phase } from "./Limits.js"
import type { StreamEvent } from "./StreamEvent.js"
import type { Ended, StreamInfo, StreamNote } from "./StreamNote.js"
import type { StreamOutcome } from "./StreamOutcome.js"
import type { Next, Reading, StreamSnapshot } from "./StreamSnapshot.js"
import type { TimeoutDetails } from "./Timeouts.js"
import { detailsAt } from "./Timeouts.js"

/**
 * What the upstream said last when it said it was done.
 *
 * @since 0.1.0
 * @category constants
 */
export const done: unique symbol = Symbol.for("@streamguard/kernel/StreamTiming/done")

/**
 * A failed end: the error the observer hears, and the line's own failure to end the consumer with
 * when the error alone does not say it all (a defect, a failure of several causes); `undefined`
 * when the error is the whole of it.
 *
 * @since 0.1.0
 * @category models
 */
export interface Failed {
  readonly error: unknown
  readonly cause: unknown
}

/**
 * How a stream ended, as its consumer hears it: `done`, or a failure.
 *
 * @since 0.1.0
 * @category models
 */
export type Ending = typeof done | Failed

/**
 * The millis a limit has counted at `now`: what it had `counted` before, and since `from` while it
 * runs (`undefined`: it stands still).
 */
const elapsedAt = (from: number | undefined, counted: number, now: number): number =>
  Math.max(0, counted + (from === undefined ? 0 : Math.max(0, now - from)))

/** Heartbeats of at least this many millis fall on its multiples. */
const beatGrid = 1000

let nextStreamId = 0

/**
 * @since 0.1.0
 * @category models
 */
export abstract class StreamTiming<GE extends HasOutcome> implements Timed {
  heapIndex = -1
  heapAt = Infinity

  /** Clock millis when the request began: what `total` counts from. */
  readonly startedAt: number
  /** Identifies the stream to its observer. */
  readonly info: StreamInfo
  protected readonly clock: Clock
  protected readonly limits: Limits
  protected readonly heartbeat: number | undefined
  /** Whether anybody listens: unobserved streams keep no notes at all. */
  protected readonly observed: boolean
  /** What the observer has not been told yet (observed streams only). */
  protected notes: Array<StreamNote> | undefined = undefined

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
  protected readonly isPing: ((event: StreamEvent<any>) => boolean) | undefined

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
  protected terminal: Ending | undefined = undefined
  protected outcome: StreamOutcome | undefined = undefined
  protected error: unknown = undefined

  /**
   * `heartbeat` is the millis between the keepalives of the guard's own a waiting consumer of
   * `events` gets (`Infinity` or `undefined` for none); `errors` makes the line's own errors;
   * `observed` says whether anybody hears the notes.
   */
  constructor(
    protected readonly deadlines: Deadlines,
    limits: Limits,
    emit: Emit,
    options: Options | undefined,
    heartbeat: number | undefined,
    protected readonly errors: GuardErrors<GE>,
    observed: boolean
  ) {
    this.clock = deadlines.clock
    const now = this.clock.now()
    this.startedAt = Math.min(options?.startedAt ?? now, now)
    this.limits = limits
    this.heartbeat = emit === "events" && heartbeat !== undefined && Number.isFinite(heartbeat)
      ? Math.max(1, heartbeat)
      : undefined
    this.lastEventAt = this.startedAt
    this.observed = observed
    this.isPing = options?.isPing
    this.isReasoning = limits.reasoning === undefined ? undefined : options?.isReasoning
    this.info = { id: ++nextStreamId, labels: options?.labels ?? {}, startedAt: this.startedAt }
    // The request has been on its way since it began: the consumer waits from there.
    this.waitingSince = this.startedAt
  }

  /** Whether the stream has ended (the upstream's end, or the guard's decision). */
  abstract closed(): boolean

  /** Acts on what is due at `now`; returns the next moment to look again (see `Timed`). */
  abstract due(now: number): number | undefined

  /** Ends the stream with the guard's own decision. */
  protected abstract stop(error: GE, now: number): void

  /**
   * The request entered a phase before the response: that phase's limit counts from now. Late for
   * the previous phase's limit, it finds that limit decided (see `overdue`).
   */
  phase(phase: Phase): void {
    if (this.closed()) return
    const now = this.now()
    if (this.overdue(now)) return
    this.phaseName = phase
    this.phaseAt = now
    this.reschedule()
  }

  /**
   * Acts on every deadline that passed before `now`, as the scheduler would have, and says whether
   * one ended the stream. What the transport reports at `now` is late for a deadline before it even
   * when it runs before the clock's wake-up (a busy event loop runs a read before a timer that is
   * already due): the decision compares times, not which callback ran first. A deadline at exactly
   * `now` is not passed: what arrives then is in time (the scheduler looks at it after the instant).
   */
  protected overdue(now: number): boolean {
    // The scheduler is always due to look at the stream by its earliest deadline (`heapAt` is never
    // later): the common case, nothing due before now, costs one comparison per read.
    if (this.heapIndex < 0 || this.heapAt >= now) return false
    while (!this.closed()) {
      const { at, which } = this.earliest()
      if (which === undefined || at >= now) return false
      this.due(at)
    }
    return true
  }

  /** Makes sure the scheduler looks at this stream by its earliest deadline. */
  protected reschedule(): void {
    const { at } = this.earliest()
    if (at !== Infinity) this.deadlines.schedule(this, at)
  }

  /** A limit expired: the first decision wins, the transport stops at once, the consumer hears it. */
  protected decide(which: Exclude<Deadline, "heartbeat">, now: number): void {
    if (which !== "minRate") return this.stop(this.errors.timeout(which, this.details(this.limits[which]!, now)), now)
    const rate = this.limits.minRate!
    const details = this.details(rate.window, now)
    this.stop(
      this.errors.slowStream({ ...details, minEvents: rate.events, windowEvents: this.chunks - this.rateMark }),
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
      if (this.observed) this.note({ _tag: "firstChunk", timeToFirstChunkMillis: now - this.startedAt })
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
    return this.clock.now()
  }

  /** Parked millis so far, the current spell included. */
  protected parkedNow(now: number): number {
    return this.parkedMillis + (this.waitingSince === undefined ? 0 : Math.max(0, now - this.waitingSince))
  }

  /**
   * Each limit that applies, in the order they are weighed (at the same millisecond the first is
   * the reason): `from` is the clock millis it counts from while it runs (`undefined`: it stands
   * still) and `counted` the millis it had counted before then, so it expires at
   * `from + limitMillis - counted`. One walk for the deadlines and the readings alike.
   */
  private eachLimit(
    visit: (
      limit: Exclude<Deadline, "heartbeat">,
      limitMillis: number,
      from: number | undefined,
      counted: number
    ) => void
  ): void {
    const limits = this.limits
    const waiting = this.waitingSince
    if (this.terminal === undefined) {
      // The phase and idle limits first: at the same millisecond, the more specific limit is the reason.
      if (this.openedAt === undefined) {
        const phase = this.phaseName
        const limit = phase === undefined ? undefined : limits[phase]
        if (limit !== undefined) visit(phase!, limit, this.phaseAt, 0)
      }
      // The idle limits run while the consumer is parked. Until the first content, `firstChunk`
      // (when set) replaces them.
      if (this.firstChunkAt === undefined && limits.firstChunk !== undefined) {
        visit("firstChunk", limits.firstChunk, waiting, this.parkedMillis)
      } else if (this.openedAt !== undefined) {
        // Not parked, `chunk` restarts at the next wait: nothing counts toward it meanwhile.
        if (limits.chunk !== undefined) {
          visit("chunk", limits.chunk, waiting === undefined ? undefined : Math.max(waiting, this.lastEventAt), 0)
        }
        if (limits.progress !== undefined) {
          visit("progress", limits.progress, waiting, this.parkedMillis - this.progressMark)
        }
        // Reasoning content resets `progress` but not this: it counts from the first reasoning.
        if (this.reasoningMark !== undefined) {
          visit("reasoning", limits.reasoning!, waiting, this.parkedMillis - this.reasoningMark)
        }
      }
      // Not an idle limit: the upstream's pace, checked at the end of each window.
      if (this.rateFrom !== undefined) visit("minRate", limits.minRate!.window, this.rateFrom, 0)
    }
    // Once the upstream has ended, the consumer reads what it left within `total` alone.
    if (limits.total !== undefined) visit("total", limits.total, this.startedAt, 0)
    if (limits.request !== undefined) visit("request", limits.request, this.startedAt, 0)
  }

  /** The earliest deadline and the limit it belongs to. */
  protected earliest(): { at: number; which: Deadline | undefined } {
    let at = Infinity
    let which: Deadline | undefined
    this.eachLimit((limit, limitMillis, from, counted) => {
      if (from !== undefined && from + limitMillis - counted < at) {
        at = from + limitMillis - counted
        which = limit
      }
    })
    // Not a limit: the consumer gets a keepalive of its own when it has waited long enough. Beats of
    // a second or more fall on whole seconds (to the nearest), so one wake serves every stream due.
    const heartbeat = this.heartbeat
    const waiting = this.waitingSince
    if (heartbeat !== undefined && waiting !== undefined && this.openedAt !== undefined && !this.closed()) {
      const beatAt = Math.max(waiting, this.openedAt, this.handedAt) + heartbeat
      const grid = heartbeat >= beatGrid ? Math.round(beatAt / beatGrid) * beatGrid : beatAt
      if (grid < at) {
        at = grid
        which = "heartbeat"
      }
    }
    return { at, which }
  }

  /**
   * Where the stream stands at `now`, for a viewer: what arrived and each limit that applies with
   * the time counted toward it, by the rules `earliest` follows (the least left among the running
   * readings is the deadline the scheduler holds, unless the heartbeat comes first). Reads only.
   */
  snapshot(now: number = this.now()): StreamSnapshot {
    const closed = this.closed()
    return {
      at: now,
      startedAt: this.startedAt,
      phase: this.openedAt === undefined ? this.phaseName : undefined,
      phaseAt: this.openedAt === undefined && this.phaseName !== undefined ? this.phaseAt : undefined,
      openedAt: this.openedAt,
      firstChunkAt: this.firstChunkAt,
      lastEventAt: this.lastEventAt,
      chunks: this.chunks,
      keepalives: this.keepalives,
      bytes: this.bytes,
      waiting: this.waitingSince !== undefined,
      closed,
      readings: closed ? [] : this.readings(now),
      next: this.nextLimit(now)
    }
  }

  /**
   * The running limit that ends the stream first unless the upstream speaks, and the millis it has
   * left at `now`: the least left among `snapshot`'s running readings, skipping a `minRate` window
   * that already has its events (its end starts the next window). `undefined` when none runs or
   * the stream has ended. Cheaper than a snapshot: a viewer ranks many streams by it, and takes
   * snapshots only of those it shows.
   */
  nextLimit(now: number = this.now()): Next | undefined {
    if (this.closed()) return undefined
    let next: Exclude<Deadline, "heartbeat"> | undefined
    let least = Infinity
    this.eachLimit((limit, limitMillis, from, counted) => {
      if (from === undefined || (limit === "minRate" && this.rateMet())) return
      const left = limitMillis - elapsedAt(from, counted, now)
      if (left < least) {
        least = left
        next = limit
      }
    })
    return next === undefined ? undefined : { limit: next, leftMillis: Math.max(0, least) }
  }

  /** Whether the `minRate` window running now already has the content events it needs. */
  private rateMet(): boolean {
    return this.chunks - this.rateMark >= this.limits.minRate!.events
  }

  /** `earliest`'s limits as readings: how far each has counted at `now`, running or standing still. */
  private readings(now: number): Array<Reading> {
    const out: Array<Reading> = []
    this.eachLimit((limit, limitMillis, from, counted) => {
      const elapsedMillis = elapsedAt(from, counted, now)
      const running = from !== undefined
      if (limit !== "minRate") out.push({ limit, elapsedMillis, limitMillis, running })
      else {
        const events = { seen: this.chunks - this.rateMark, needed: this.limits.minRate!.events }
        out.push({ limit, elapsedMillis, limitMillis, running, events })
      }
    })
    return out
  }

  /** What a timeout error says of the stream at `now`. */
  protected details(limitMillis: number, now: number): TimeoutDetails {
    const { chunks, lastEvent, lastEventAt, startedAt } = this
    return detailsAt({ startedAt, chunks, lastEventAt, lastEvent }, limitMillis, now)
  }

  /** Records how the stream ended; the first to decide wins. */
  protected settle(outcome: StreamOutcome, error?: unknown): void {
    if (this.outcome !== undefined) return
    this.outcome = outcome
    this.error = error
  }

  /** Keeps `note` for the observer until the consumer's next pull. */
  protected note(note: StreamNote): void {
    ;(this.notes ??= []).push(note)
  }

  /** What the observer has not heard yet, in order, handed over once (`undefined`: nothing). */
  takeNotes(): Array<StreamNote> | undefined {
    const notes = this.notes
    this.notes = undefined
    return notes
  }

  /** The end as the observer hears it, once the stream has ended. */
  ended(): Ended {
    const now = this.now()
    return {
      outcome: this.outcome!,
      durationMillis: now - this.startedAt,
      timeToFirstChunkMillis: this.firstChunkAt === undefined ? undefined : this.firstChunkAt - this.startedAt,
      chunks: this.chunks,
      keepalives: this.keepalives,
      bytes: this.bytes,
      error: this.error
    }
  }
}
