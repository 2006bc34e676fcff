/**
 * The budget the attempts of one request share (a stream's `total`, a call's `request`), as the
 * request sees it. Each attempt is given what the attempts before it left, so its own timeout
 * says its share and its own time; the client waited for the request, whose limit and time these
 * errors should give (the kernel's `Fallback.asRequest`).
 *
 * @internal
 */
import { TimeoutError } from "@streamguard/core"
import * as Fallback from "@streamguard/kernel/client/Fallback"
import { Duration } from "effect"

/**
 * `error` told as the request's when it is the attempt's timeout of the shared budget: the
 * request's `limit`, the `elapsedMillis` since the request began, and the attempt's share when it
 * was less than the whole. Any other error is returned as it is.
 *
 * @internal
 */
export const asRequestBudget = <E>(error: E, limit: Duration.Duration, elapsedMillis: number): E => {
  if (!TimeoutError.isTotalTimeout(error) && !TimeoutError.isRequestTimeout(error)) return error
  const fields = Fallback.asRequest(error, Duration.toMillis(limit), elapsedMillis)
  return (TimeoutError.isTotalTimeout(error)
    ? new TimeoutError.TotalTimeout(fields)
    : new TimeoutError.RequestTimeout(fields)) as unknown as E
}
