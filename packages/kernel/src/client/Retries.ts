/**
 * Which failed attempts a client retries, and when: only failures before anything was received,
 * each delay at least the upstream's `retry-after`, and never a retry that would end past the
 * call's budget. Each line runs them on its own `Schedule`; the rules are these.
 *
 * @since 0.1.0
 */
import type { StreamOutcome } from "../StreamOutcome.js"
import { isTransientStatus } from "../StreamOutcome.js"

/**
 * What the retry rules read of an attempt's failure: its outcome, and for an HTTP error its status
 * and `retry-after`, for a connection its stage.
 *
 * @since 0.1.0
 * @category models
 */
export interface AttemptFailure {
  readonly outcome: StreamOutcome
  readonly status?: number | undefined
  readonly stage?: "request" | "response" | undefined
  readonly retryAfterMillis?: number | undefined
}

/**
 * Whether a failed attempt may be retried: a transient HTTP status
 * (`StreamOutcome.isTransientStatus`), a connection that failed before the response, a connect
 * timeout. Nothing else: the other phases' timeouts mean the upstream took the request (or the
 * pool is full), and anything after the response began may have delivered content.
 *
 * @since 0.1.0
 * @category predicates
 */
export const isRetried = (failure: AttemptFailure): boolean => {
  switch (failure.outcome) {
    case "upstream_http_error":
      return failure.status !== undefined && isTransientStatus(failure.status)
    case "transport_error":
      return failure.stage === "request"
    case "connect_timeout":
      return true
    default:
      return false
  }
}

/**
 * The delay before a retry, in millis: the schedule's, or the upstream's `retry-after` when that
 * is longer.
 *
 * @since 0.1.0
 * @category getters
 */
export const delayMillis = (scheduledMillis: number, failure: AttemptFailure): number =>
  failure.retryAfterMillis === undefined ? scheduledMillis : Math.max(scheduledMillis, failure.retryAfterMillis)

/**
 * Whether a retry after `delayMillis`, decided at `now`, starts within the budget of a call that
 * began at `startedAt` (clock millis; `budgetMillis` `Infinity`: no budget).
 *
 * @since 0.1.0
 * @category predicates
 */
export const fits = (now: number, delayMillis: number, startedAt: number, budgetMillis: number): boolean =>
  now + delayMillis < startedAt + budgetMillis
