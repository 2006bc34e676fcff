/**
 * The known ways a stream (or a batch request) ends, and which upstream answers are transient.
 * The same names are used in logs, metric labels and the `type` of in-band error events, on every
 * Effect line.
 *
 * @since 0.1.0
 */

/**
 * Every outcome, in the order of a request's life: the upstream's own ends, the guard's limits,
 * the failures before and around the response, and the ends from the consumer's side.
 *
 * @since 0.1.0
 * @category constants
 */
export const outcomes = [
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
] as const

/**
 * @since 0.1.0
 * @category models
 */
export type StreamOutcome = typeof outcomes[number]

const known: ReadonlySet<unknown> = new Set(outcomes)

/**
 * @since 0.1.0
 * @category guards
 */
export const isStreamOutcome = (u: unknown): u is StreamOutcome => known.has(u)

/** The transient statuses: see `isTransientStatus`. */
const transientStatuses: ReadonlySet<number> = new Set([408, 429, 500, 502, 503, 504, 529])

/**
 * Whether an upstream's HTTP error status is transient: the same request, sent to the same
 * upstream a moment later, may well be answered. 408 (the upstream timed the request out), 429
 * (a rate limit), 500, 502, 503 and 504 (a failing or overloaded server, or a proxy in front of
 * one), and 529 (Anthropic's "overloaded"). The client retries these (when given a retry
 * schedule), and the gateway moves on from them to the route's next upstream.
 *
 * Not transient: the client's own mistakes (4xx), and the server errors that name a lasting
 * cause, such as 501 Not Implemented and 505 HTTP Version Not Supported: that upstream cannot
 * serve such a request at all, and will answer it the same way every time.
 *
 * @since 0.1.0
 * @category predicates
 */
export const isTransientStatus = (status: number): boolean => transientStatuses.has(status)

/**
 * Whether an upstream's HTTP status is a success (2xx): the answer the client reads as the
 * stream (or the call's body); any other is an `UpstreamHttpError`.
 *
 * @since 0.1.0
 * @category predicates
 */
export const isSuccessStatus = (status: number): boolean => status >= 200 && status < 300

/**
 * The outcome `u` stands for, when it knows one (every StreamGuard error does, as its `outcome`):
 * what a failure is counted as.
 *
 * @since 0.1.0
 * @category getters
 */
export const outcomeOf = (u: unknown): StreamOutcome | undefined =>
  typeof u === "object" && u !== null && "outcome" in u && isStreamOutcome(u.outcome) ? u.outcome : undefined
