/**
 * What a guarded stream's observer hears, as plain data. The engine keeps what happens as notes
 * while the transport feeds it; each line turns them into its observer's calls when the consumer
 * next pulls (no observer effect runs in a socket's callback).
 *
 * @since 0.1.0
 */
import type { StreamOutcome } from "./StreamOutcome.js"

/**
 * Identifies one guarded stream across the observer's calls.
 *
 * `labels` are low-cardinality names the caller chose (profile, dialect, upstream); the metrics
 * observer uses them as tags.
 *
 * @since 0.1.0
 * @category models
 */
export interface StreamInfo {
  readonly id: number
  readonly labels: Readonly<Record<string, string>>
  /** When the request began, in clock millis. */
  readonly startedAt: number
}

/**
 * One batch of events read together (one network read).
 *
 * @since 0.1.0
 * @category models
 */
export interface Received {
  /** Silence before this batch: time since the previous event, or since the start. */
  readonly gapMillis: number
  readonly chunks: number
  /**
   * Pings: keepalives the stream's `isPing` calls pings (SSE comments, provider pings), not
   * lifecycle frames; every keepalive when the stream was given no `isPing`.
   */
  readonly keepalives: number
  readonly bytes: number
}

/**
 * How a stream ended, with its totals.
 *
 * @since 0.1.0
 * @category models
 */
export interface Ended {
  readonly outcome: StreamOutcome
  readonly durationMillis: number
  /** Time to the first content chunk, when one arrived. */
  readonly timeToFirstChunkMillis: number | undefined
  readonly chunks: number
  /** Pings, counted as `Received.keepalives` counts them. */
  readonly keepalives: number
  readonly bytes: number
  /** The failure, for failed outcomes. */
  readonly error: unknown
}

/**
 * An attempt that failed before a response, retried.
 *
 * @since 0.1.0
 * @category models
 */
export interface Retrying {
  /** The attempt that failed, from 1. */
  readonly attempt: number
  readonly outcome: StreamOutcome
  readonly delayMillis: number
}

/**
 * What the observer has yet to hear of a stream, in order: the response opened, a batch received,
 * the first content.
 *
 * @since 0.1.0
 * @category models
 */
export type StreamNote =
  | { readonly _tag: "opened"; readonly openedAfterMillis: number }
  | { readonly _tag: "received"; readonly received: Received }
  | { readonly _tag: "firstChunk"; readonly timeToFirstChunkMillis: number }

/**
 * One call an observer received, as a recording observer keeps it.
 *
 * @since 0.1.0
 * @category models
 */
export type Call =
  | { readonly _tag: "started"; readonly stream: StreamInfo }
  | { readonly _tag: "opened"; readonly stream: StreamInfo; readonly openedAfterMillis: number }
  | { readonly _tag: "received"; readonly stream: StreamInfo; readonly received: Received }
  | { readonly _tag: "firstChunk"; readonly stream: StreamInfo; readonly timeToFirstChunkMillis: number }
  | { readonly _tag: "retrying"; readonly stream: StreamInfo; readonly retrying: Retrying }
  | { readonly _tag: "ended"; readonly stream: StreamInfo; readonly ended: Ended }

/**
 * The short name of a call, to compare a lifecycle at a glance: `"started"`, `"opened"`,
 * `"received"`, `"firstChunk"`, `"retrying:<outcome>"`, `"ended:<outcome>"`.
 *
 * @since 0.1.0
 * @category models
 */
export const stepOf = (call: Call): string => {
  switch (call._tag) {
    case "ended":
      return `ended:${call.ended.outcome}`
    case "retrying":
      return `retrying:${call.retrying.outcome}`
    default:
      return call._tag
  }
}
