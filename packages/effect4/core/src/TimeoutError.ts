/**
 * The timeouts: one tagged error per phase, each saying which phase expired and how far the
 * request had got, so a log line or an in-band error event can tell exactly what happened.
 *
 * @since 0.1.0
 */
import * as Messages from "@streamguard/kernel/Messages"
import * as Timeouts from "@streamguard/kernel/Timeouts"
import * as Schema from "effect/Schema"
import type * as TimeoutPolicy from "./TimeoutPolicy.js"

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
 * @category schemas
 */
export const TimeoutDetails = {
  limitMillis: Schema.Number,
  elapsedMillis: Schema.Number,
  chunks: Schema.Number,
  sinceLastEventMillis: Schema.Number,
  lastEvent: Schema.Literals(Timeouts.lastEvents)
}

/**
 * @since 0.1.0
 * @category models
 */
export type TimeoutDetails = Schema.Struct.Type<typeof TimeoutDetails>

/**
 * The data of a timeout of a budget the attempts of one request share (`total`, `request`): the
 * `TimeoutDetails` of the request (its limit, the time since it began), and, when the attempt that
 * ran out was given only what the attempts before it left, `attemptLimitMillis`: that share.
 *
 * @since 0.1.0
 * @category schemas
 */
export const BudgetDetails = {
  ...TimeoutDetails,
  attemptLimitMillis: Schema.optional(Schema.Number)
}

/**
 * No upstream event at all (content or keepalive) within the `chunk` limit: the stream went
 * silent, a zombie.
 *
 * @since 0.1.0
 * @category errors
 */
export class ChunkTimeout extends Schema.TaggedError<ChunkTimeout>("@streamguard/core/ChunkTimeout")(
  "ChunkTimeout",
  TimeoutDetails
) {
  /** @since 0.1.0 */
  get phase(): TimeoutPolicy.Field {
    return "chunk"
  }
  /** @since 0.1.0 */
  get outcome(): "chunk_timeout" {
    return "chunk_timeout"
  }
  /** @since 0.1.0 */
  override get message(): string {
    return Messages.timeout("chunk", this)
  }
}

/**
 * No content `Chunk` within the `progress` limit, though keepalives may have kept arriving.
 *
 * @since 0.1.0
 * @category errors
 */
export class ProgressTimeout extends Schema.TaggedError<ProgressTimeout>("@streamguard/core/ProgressTimeout")(
  "ProgressTimeout",
  TimeoutDetails
) {
  /** @since 0.1.0 */
  get phase(): TimeoutPolicy.Field {
    return "progress"
  }
  /** @since 0.1.0 */
  get outcome(): "progress_timeout" {
    return "progress_timeout"
  }
  /** @since 0.1.0 */
  override get message(): string {
    return Messages.timeout("progress", this)
  }
}

/**
 * The first content `Chunk` did not arrive within the `firstChunk` limit.
 *
 * @since 0.1.0
 * @category errors
 */
export class FirstChunkTimeout extends Schema.TaggedError<FirstChunkTimeout>("@streamguard/core/FirstChunkTimeout")(
  "FirstChunkTimeout",
  TimeoutDetails
) {
  /** @since 0.1.0 */
  get phase(): TimeoutPolicy.Field {
    return "firstChunk"
  }
  /** @since 0.1.0 */
  get outcome(): "first_chunk_timeout" {
    return "first_chunk_timeout"
  }
  /** @since 0.1.0 */
  override get message(): string {
    return Messages.timeout("firstChunk", this)
  }
}

/**
 * The whole stream ran past its `total` budget; fires on time even when nothing arrives. Across a
 * fallback chain the budget is the request's (see `BudgetDetails`).
 *
 * @since 0.1.0
 * @category errors
 */
export class TotalTimeout extends Schema.TaggedError<TotalTimeout>("@streamguard/core/TotalTimeout")(
  "TotalTimeout",
  BudgetDetails
) {
  /** @since 0.1.0 */
  get phase(): TimeoutPolicy.Field {
    return "total"
  }
  /** @since 0.1.0 */
  get outcome(): "total_timeout" {
    return "total_timeout"
  }
  /** @since 0.1.0 */
  override get message(): string {
    return Messages.timeout("total", this)
  }
}

/**
 * The stream produced only reasoning content (thinking) for longer than the `reasoning` limit,
 * without its answer beginning.
 *
 * @since 0.1.0
 * @category errors
 */
export class ReasoningTimeout extends Schema.TaggedError<ReasoningTimeout>("@streamguard/core/ReasoningTimeout")(
  "ReasoningTimeout",
  TimeoutDetails
) {
  /** @since 0.1.0 */
  get phase(): TimeoutPolicy.Field {
    return "reasoning"
  }
  /** @since 0.1.0 */
  get outcome(): "reasoning_timeout" {
    return "reasoning_timeout"
  }
  /** @since 0.1.0 */
  override get message(): string {
    return Messages.timeout("reasoning", this)
  }
}

/**
 * The stream's content came slower than its `minRate`: fewer than `minEvents` content events in a
 * window of `limitMillis` (`windowEvents` came).
 *
 * @since 0.1.0
 * @category errors
 */
export class SlowStream extends Schema.TaggedError<SlowStream>("@streamguard/core/SlowStream")("SlowStream", {
  ...TimeoutDetails,
  minEvents: Schema.Number,
  windowEvents: Schema.Number
}) {
  /** @since 0.1.0 */
  get phase(): "minRate" {
    return "minRate"
  }
  /** @since 0.1.0 */
  get outcome(): "slow_stream" {
    return "slow_stream"
  }
  /** @since 0.1.0 */
  override get message(): string {
    return Messages.slowStream(this)
  }
}

/**
 * The connection was not up (and the request being sent) within the `connect` limit.
 *
 * @since 0.1.0
 * @category errors
 */
export class ConnectTimeout extends Schema.TaggedError<ConnectTimeout>("@streamguard/core/ConnectTimeout")(
  "ConnectTimeout",
  TimeoutDetails
) {
  /** @since 0.1.0 */
  get phase(): TimeoutPolicy.Field {
    return "connect"
  }
  /** @since 0.1.0 */
  get outcome(): "connect_timeout" {
    return "connect_timeout"
  }
  /** @since 0.1.0 */
  override get message(): string {
    return Messages.timeout("connect", this)
  }
}

/**
 * The request body was not fully sent within the `write` limit (the upstream stopped reading).
 *
 * @since 0.1.0
 * @category errors
 */
export class WriteTimeout extends Schema.TaggedError<WriteTimeout>("@streamguard/core/WriteTimeout")(
  "WriteTimeout",
  TimeoutDetails
) {
  /** @since 0.1.0 */
  get phase(): TimeoutPolicy.Field {
    return "write"
  }
  /** @since 0.1.0 */
  get outcome(): "write_timeout" {
    return "write_timeout"
  }
  /** @since 0.1.0 */
  override get message(): string {
    return Messages.timeout("write", this)
  }
}

/**
 * The response status and headers did not arrive within the `headers` limit after the request
 * was sent.
 *
 * @since 0.1.0
 * @category errors
 */
export class HeadersTimeout extends Schema.TaggedError<HeadersTimeout>("@streamguard/core/HeadersTimeout")(
  "HeadersTimeout",
  TimeoutDetails
) {
  /** @since 0.1.0 */
  get phase(): TimeoutPolicy.Field {
    return "headers"
  }
  /** @since 0.1.0 */
  get outcome(): "headers_timeout" {
    return "headers_timeout"
  }
  /** @since 0.1.0 */
  override get message(): string {
    return Messages.timeout("headers", this)
  }
}

/**
 * No connection slot (or admission) within the `pool` limit.
 *
 * @since 0.1.0
 * @category errors
 */
export class PoolTimeout extends Schema.TaggedError<PoolTimeout>("@streamguard/core/PoolTimeout")(
  "PoolTimeout",
  TimeoutDetails
) {
  /** @since 0.1.0 */
  get phase(): TimeoutPolicy.Field {
    return "pool"
  }
  /** @since 0.1.0 */
  get outcome(): "pool_timeout" {
    return "pool_timeout"
  }
  /** @since 0.1.0 */
  override get message(): string {
    return Messages.timeout("pool", this)
  }
}

/**
 * A batch (non-streaming) request did not complete within the `request` limit. Across a fallback
 * chain the limit is the request's (see `BudgetDetails`).
 *
 * @since 0.1.0
 * @category errors
 */
export class RequestTimeout extends Schema.TaggedError<RequestTimeout>("@streamguard/core/RequestTimeout")(
  "RequestTimeout",
  BudgetDetails
) {
  /** @since 0.1.0 */
  get phase(): TimeoutPolicy.Field {
    return "request"
  }
  /** @since 0.1.0 */
  get outcome(): "request_timeout" {
    return "request_timeout"
  }
  /** @since 0.1.0 */
  override get message(): string {
    return Messages.timeout("request", this)
  }
}

/**
 * Every timeout StreamGuard enforces, and the rate it holds streams to: each one ends a request
 * that would otherwise have become a zombie.
 *
 * @since 0.1.0
 * @category errors
 */
export type TimeoutError =
  | ChunkTimeout
  | ProgressTimeout
  | FirstChunkTimeout
  | TotalTimeout
  | ReasoningTimeout
  | SlowStream
  | ConnectTimeout
  | WriteTimeout
  | HeadersTimeout
  | PoolTimeout
  | RequestTimeout

/**
 * @since 0.1.0
 * @category schemas
 */
export const TimeoutError: Schema.Union<
  readonly [
    typeof ChunkTimeout,
    typeof ProgressTimeout,
    typeof FirstChunkTimeout,
    typeof TotalTimeout,
    typeof ReasoningTimeout,
    typeof SlowStream,
    typeof ConnectTimeout,
    typeof WriteTimeout,
    typeof HeadersTimeout,
    typeof PoolTimeout,
    typeof RequestTimeout
  ]
> = Schema.Union([
  ChunkTimeout,
  ProgressTimeout,
  FirstChunkTimeout,
  TotalTimeout,
  ReasoningTimeout,
  SlowStream,
  ConnectTimeout,
  WriteTimeout,
  HeadersTimeout,
  PoolTimeout,
  RequestTimeout
])

/**
 * @since 0.1.0
 * @category guards
 */
export const isTimeoutError: (u: unknown) => u is TimeoutError = Schema.is(TimeoutError)

/**
 * @since 0.1.0
 * @category guards
 */
export const isTotalTimeout: (u: unknown) => u is TotalTimeout = Schema.is(TotalTimeout)

/**
 * @since 0.1.0
 * @category guards
 */
export const isRequestTimeout: (u: unknown) => u is RequestTimeout = Schema.is(RequestTimeout)
