/**
 * What a live view may know of one relayed stream while it runs: who it is (the same fields as its
 * end line), when it was admitted, each upstream attempt and, once its guard runs, where that
 * guard stands (`StreamSnapshot`, read when asked), when the client left, and what the client was
 * sent so far. The relay's record tells it the few moments that matter, never a chunk: everything
 * else is read from the guard's and the meter's own state when a viewer asks.
 *
 * Plain data and no Effect: the relay keeps one beside each stream's record.
 *
 * @since 0.1.0
 */
import type { Next, StreamSnapshot } from "@streamguard/kernel/StreamSnapshot"
import type * as Attempt from "./Attempt.js"
import type * as Delivered from "./Delivered.js"
import type * as StreamLog from "./StreamLog.js"

/**
 * Which request a stream is, known before it is relayed: the end line's own fields.
 *
 * @since 0.1.0
 * @category models
 */
export type Origin = StreamLog.Origin

/**
 * One upstream attempt, as the relay's chain keeps it: its `result` changes as it ends (`pending`,
 * `served`, `cancelled`, or the outcome it failed with).
 *
 * @since 0.1.0
 * @category models
 */
export type AttemptInfo = Readonly<Attempt.Attempt>

/**
 * What a stream delivered to its client so far (the end line's `usage`).
 *
 * @since 0.1.0
 * @category models
 */
export type Usage = Delivered.Delivered

/**
 * A guard a viewer can read (`Attempt.Guarded`).
 *
 * @since 0.1.0
 * @category models
 */
export type Guarded = Attempt.Guarded

/**
 * One attempt and, once its guard runs, that guard.
 *
 * @since 0.1.0
 * @category models
 */
export interface LiveAttempt {
  readonly info: AttemptInfo
  /** When the attempt was opened. */
  readonly at: number
  guard: Guarded | undefined
}

/**
 * The limits a stream's relay adds to its guard's: the admission's wait (the profile's `pool`) and
 * the drain after the client left (`drainWindow`), in millis.
 *
 * @since 0.1.0
 * @category models
 */
export interface RelayLimits {
  readonly pool: number | undefined
  readonly drainWindow: number
}

/**
 * One stream in flight.
 *
 * @since 0.1.0
 * @category models
 */
export class LiveStream {
  /** Every attempt, in the order they started. */
  readonly attempts: Array<LiveAttempt> = []
  /** When the first attempt opened: the admission was over. */
  admittedAt: number | undefined = undefined
  /** When the client left and what its disconnect policy did (`cancel`, `drain`). */
  leftAt: number | undefined = undefined
  disconnect: string | undefined = undefined
  /**
   * The guard of the only attempt, while there is only one: the one a viewer follows, read without
   * walking the attempts (a view ranks thousands of streams, and each object read is a cache miss).
   */
  private only: Guarded | undefined = undefined

  constructor(
    readonly origin: Origin,
    /** When the relay took the request, in the gateway clock's millis. */
    readonly startedAt: number,
    readonly limits: RelayLimits,
    /** What the client was sent so far (the relay's meter). */
    readonly meter: { readonly snapshot: () => Usage }
  ) {}

  /** An attempt opened at `now`: the first one ends the wait for admission. */
  attempt(info: AttemptInfo, now: number): void {
    this.admittedAt ??= now
    this.attempts.push({ info, at: now, guard: undefined })
    this.only = undefined
  }

  /** The attempt's guard runs: from now on a viewer reads where it stands. */
  watch(info: AttemptInfo, guard: Guarded): void {
    for (const attempt of this.attempts) {
      if (attempt.info === info) attempt.guard = guard
    }
    this.only = this.attempts.length === 1 ? this.attempts[0]!.guard : undefined
  }

  /** The client left at `now`; `disconnect` is what its policy did. */
  left(disconnect: string, now: number): void {
    this.leftAt ??= now
    this.disconnect ??= disconnect
  }

  /** Where the followed attempt's guard stands at `now`, once it runs. */
  snapshot(now: number): StreamSnapshot | undefined {
    return this.guard()?.snapshot?.(now)
  }

  /** The followed attempt's guard's next limit to end it at `now` (its snapshot's `next`), once it runs. */
  nextLimit(now: number): Next | undefined {
    return this.guard()?.nextLimit?.(now)
  }

  /** The followed attempt's guard, once it runs. */
  private guard(): Guarded | undefined {
    return this.only ?? this.current()?.guard
  }

  /**
   * The attempt a viewer follows: the one that served, else the newest still undecided, else the
   * last one.
   */
  current(): LiveAttempt | undefined {
    const attempts = this.attempts
    let pending: LiveAttempt | undefined
    for (let i = attempts.length - 1; i >= 0; i--) {
      const attempt = attempts[i]!
      if (attempt.info.result === "served") return attempt
      if (pending === undefined && attempt.info.result === "pending") pending = attempt
    }
    return pending ?? attempts[attempts.length - 1]
  }
}
