/**
 * The known ways a stream (or a batch request) ends. The same names are used in logs, metric
 * labels and the `type` of in-band error events.
 *
 * @since 0.1.0
 */
import * as Schema from "effect/Schema"

/**
 * @since 0.1.0
 * @category schemas
 */
export const StreamOutcome = Schema.Literal(
  "done",
  "error_signal",
  "first_chunk_timeout",
  "chunk_timeout",
  "progress_timeout",
  "total_timeout",
  "reasoning_timeout",
  "slow_stream",
  "connect_timeout",
  "write_timeout",
  "headers_timeout",
  "pool_timeout",
  "request_timeout",
  "upstream_http_error",
  "transport_error",
  "protocol_error",
  "unexpected_end",
  "interrupted",
  "consumer_stopped"
)

/**
 * @since 0.1.0
 * @category models
 */
export type StreamOutcome = typeof StreamOutcome.Type

/**
 * Anything that knows which outcome it stands for: every StreamGuard error does.
 *
 * @since 0.1.0
 * @category models
 */
export interface HasOutcome {
  readonly outcome: StreamOutcome
}

/**
 * @since 0.1.0
 * @category guards
 */
export const hasOutcome = (u: unknown): u is HasOutcome =>
  typeof u === "object" && u !== null && "outcome" in u && Schema.is(StreamOutcome)(u.outcome)
