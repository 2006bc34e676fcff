/**
 * Where a guarded stream stands at one moment, as plain data: its phase, what arrived, and each
 * limit that applies with the time counted toward it. Read on request (a live view of the streams
 * in flight), from the state the engine keeps anyway: taking one costs nothing per chunk.
 *
 * @since 0.1.0
 */
import type { Deadline, Phase } from "./Limits.js"

/**
 * One limit as it stands: the millis counted toward it so far, of how many. The limit with the
 * least left among those running is the one the scheduler will fire next, unless the upstream
 * speaks first.
 *
 * @since 0.1.0
 * @category models
 */
export interface Reading {
  readonly limit: Exclude<Deadline, "heartbeat">
  /** Millis counted toward the limit so far (for `minRate`, into the current window). */
  readonly elapsedMillis: number
  readonly limitMillis: number
  /**
   * Whether it counts now. The idle limits (`firstChunk`, `chunk`, `progress`, `reasoning`)
   * stand still while the consumer is busy with what it was handed; the others always run.
   */
  readonly running: boolean
  /** `minRate` only: content events in the current window so far, and how many it needs by its end. */
  readonly events?: { readonly seen: number; readonly needed: number } | undefined
}

/**
 * The running limit that ends a stream first unless the upstream speaks, and the millis it has left
 * (0 when it is due).
 *
 * @since 0.1.0
 * @category models
 */
export interface Next {
  readonly limit: Exclude<Deadline, "heartbeat">
  readonly leftMillis: number
}

/**
 * A guarded stream at one moment, in its clock's millis.
 *
 * @since 0.1.0
 * @category models
 */
export interface StreamSnapshot {
  /** The moment it was taken. */
  readonly at: number
  /** When the request began: what `total` counts from. */
  readonly startedAt: number
  /** The phase before the response it is in (`pool`, `connect`, `write`, `headers`), if any. */
  readonly phase: Phase | undefined
  /** When that phase began. */
  readonly phaseAt: number | undefined
  /** When the response started (its headers), if it has. */
  readonly openedAt: number | undefined
  /** When the first content arrived, if it has. */
  readonly firstChunkAt: number | undefined
  /** When the upstream was last heard from (any event), or the start. */
  readonly lastEventAt: number
  readonly chunks: number
  /** Pings, as the observer counts them. */
  readonly keepalives: number
  readonly bytes: number
  /** Whether the consumer is waiting for the upstream now. */
  readonly waiting: boolean
  /** Whether it has ended (the upstream's end or the guard's decision): no limit runs any more. */
  readonly closed: boolean
  /** Each limit that applies now, in the order the engine weighs them; none once closed. */
  readonly readings: ReadonlyArray<Reading>
  /**
   * The reading that ends the stream first: the least left among the running ones, a `minRate`
   * window that already has its events aside. `undefined` when none runs.
   */
  readonly next: Next | undefined
}
