/**
 * When a request moves on from one upstream to another (a route's fallback, a hedge), and how
 * the attempts of one request share its budget (a stream's `total`, a call's `request`): each
 * attempt is given what the attempts before it left, and its timeout of that share is told as the
 * request's.
 *
 * @since 0.1.0
 */
import type { StreamOutcome } from "../StreamOutcome.js"
import { isTransientStatus } from "../StreamOutcome.js"
import type { BudgetDetails, TimeoutDetails } from "../Timeouts.js"

/**
 * An upstream status that another upstream may not answer: a transient one (the client would
 * retry it on the same upstream), or any other server error. A 501 Not Implemented or a 505 HTTP
 * Version Not Supported is not transient, that upstream will answer it again, but it is that
 * server's own limit, not the request's fault: another server (often another provider or
 * version) may well serve the same request.
 *
 * @since 0.1.0
 * @category predicates
 */
export const anotherMayServe = (status: number): boolean => isTransientStatus(status) || status >= 500

/**
 * Whether a failure before content moves on to the next upstream: a connection refused or reset,
 * the connect, write, headers, pool, first-chunk and idle limits, an upstream status another
 * upstream may not answer (`anotherMayServe`), an error event, a stream that ended or could not be
 * read. Not the `total` budget (spent for every upstream), the client's own mistakes (another
 * upstream would refuse them too), nor a shutdown.
 *
 * @since 0.1.0
 * @category predicates
 */
export const fallsBack = (
  failure: { readonly outcome: StreamOutcome; readonly status?: number | undefined }
): boolean => {
  switch (failure.outcome) {
    case "connect_timeout":
    case "write_timeout":
    case "headers_timeout":
    case "pool_timeout":
    case "first_chunk_timeout":
    case "chunk_timeout":
    case "progress_timeout":
    case "transport_error":
    case "error_signal":
    case "unexpected_end":
    case "protocol_error":
      return true
    case "upstream_http_error":
      return failure.status !== undefined && anotherMayServe(failure.status)
    default:
      return false
  }
}

/**
 * What is left of a budget of `limitMillis` `elapsedMillis` into the request (`Infinity`: no
 * budget). Another attempt may start only while some is left.
 *
 * @since 0.1.0
 * @category getters
 */
export const leftMillis = (limitMillis: number, elapsedMillis: number): number => limitMillis - elapsedMillis

/**
 * The budget attempt number `attempt` (from 1) is given: the first the whole of it, each later
 * one what the attempts before it left.
 *
 * @since 0.1.0
 * @category getters
 */
export const shareMillis = (limitMillis: number, elapsedMillis: number, attempt: number): number =>
  attempt === 1 ? limitMillis : leftMillis(limitMillis, elapsedMillis)

/**
 * An attempt's timeout of the shared budget told as the request's: the request's `limitMillis`,
 * the `elapsedMillis` since the request began, and the attempt's share (`attemptLimitMillis`)
 * when it was less than the whole.
 *
 * @since 0.1.0
 * @category constructors
 */
export const asRequest = (attempt: TimeoutDetails, limitMillis: number, elapsedMillis: number): BudgetDetails => ({
  limitMillis,
  elapsedMillis,
  chunks: attempt.chunks,
  sinceLastEventMillis: attempt.sinceLastEventMillis,
  lastEvent: attempt.lastEvent,
  attemptLimitMillis: attempt.limitMillis < limitMillis ? attempt.limitMillis : undefined
})
