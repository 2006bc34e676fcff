/**
 * The timeouts as plain data: each limit that can expire, the error tag and the outcome it ends a
 * stream with, and the details every timeout carries. Each line's error classes are built on these.
 *
 * @since 0.1.0
 */

/**
 * Every limit whose expiry is a timeout, in the order of a request's life: the phases before the
 * response, `request` for a batch call, then the stream's limits. (`minRate` is no timeout: a
 * stream too slow ends with `SlowStream`.)
 *
 * @since 0.1.0
 * @category constants
 */
export const kinds = [
  "pool",
  "connect",
  "write",
  "headers",
  "request",
  "firstChunk",
  "chunk",
  "progress",
  "reasoning",
  "total"
] as const

/**
 * @since 0.1.0
 * @category models
 */
export type Kind = typeof kinds[number]

/**
 * The tag of each timeout's error.
 *
 * @since 0.1.0
 * @category constants
 */
export const tags = {
  pool: "PoolTimeout",
  connect: "ConnectTimeout",
  write: "WriteTimeout",
  headers: "HeadersTimeout",
  request: "RequestTimeout",
  firstChunk: "FirstChunkTimeout",
  chunk: "ChunkTimeout",
  progress: "ProgressTimeout",
  reasoning: "ReasoningTimeout",
  total: "TotalTimeout"
} as const satisfies Record<Kind, string>

/**
 * The outcome each timeout ends a request with.
 *
 * @since 0.1.0
 * @category constants
 */
export const outcomes = {
  pool: "pool_timeout",
  connect: "connect_timeout",
  write: "write_timeout",
  headers: "headers_timeout",
  request: "request_timeout",
  firstChunk: "first_chunk_timeout",
  chunk: "chunk_timeout",
  progress: "progress_timeout",
  reasoning: "reasoning_timeout",
  total: "total_timeout"
} as const satisfies Record<Kind, string>

/**
 * What the upstream said last before a timeout: nothing yet, content, or a keepalive.
 *
 * @since 0.1.0
 * @category constants
 */
export const lastEvents = ["none", "chunk", "keepalive"] as const

/**
 * @since 0.1.0
 * @category models
 */
export type LastEvent = typeof lastEvents[number]

/**
 * The data every timeout carries.
 *
 * - `limitMillis`: the limit that expired.
 * - `elapsedMillis`: time since the request began.
 * - `chunks`: content chunks received before it expired.
 * - `sinceLastEventMillis`: time since the last upstream event (or since the start when none).
 * - `lastEvent`: the type of the last upstream event, `"none"` when nothing arrived.
 *
 * @since 0.1.0
 * @category models
 */
export interface TimeoutDetails {
  readonly limitMillis: number
  readonly elapsedMillis: number
  readonly chunks: number
  readonly sinceLastEventMillis: number
  readonly lastEvent: LastEvent
}

/**
 * The details of a timeout of `limitMillis` that expired at `now`, in a stream that began at
 * `startedAt` and whose last event (`lastEvent`, at `lastEventAt`) came after `chunks` content
 * chunks: what the guard's engine and every line's `Guard.reference` say of a timeout.
 *
 * @since 0.1.0
 * @category constructors
 */
export const detailsAt = (
  stream: {
    readonly startedAt: number
    readonly chunks: number
    readonly lastEventAt: number
    readonly lastEvent: LastEvent
  },
  limitMillis: number,
  now: number
): TimeoutDetails => ({
  limitMillis,
  elapsedMillis: now - stream.startedAt,
  chunks: stream.chunks,
  sinceLastEventMillis: now - stream.lastEventAt,
  lastEvent: stream.lastEvent
})

/**
 * The data of a timeout of a budget the attempts of one request share (`total`, `request`): the
 * `TimeoutDetails` of the request (its limit, the time since it began), and, when the attempt that
 * ran out was given only what the attempts before it left, `attemptLimitMillis`: that share.
 *
 * @since 0.1.0
 * @category models
 */
export interface BudgetDetails extends TimeoutDetails {
  readonly attemptLimitMillis?: number | undefined
}

/**
 * The data of a stream too slow for its `minRate`: fewer than `minEvents` content events in a
 * window of `limitMillis` (`windowEvents` came).
 *
 * @since 0.1.0
 * @category models
 */
export interface SlowStreamDetails extends TimeoutDetails {
  readonly minEvents: number
  readonly windowEvents: number
}
