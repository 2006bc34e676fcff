/**
 * The budget the attempts of one request share (a stream's `total`, a call's `request`), as the
 * request sees it. Each attempt is given what the attempts before it left, so its own timeout
 * says its share and its own time; the client waited for the request, whose limit and time these
 * errors should give.
 *
 * @internal
 */
import { ZombieRequestError } from "@streamguard/core"
import { Duration } from "effect"

/**
 * `error` told as the request's when it is the attempt's timeout of the shared budget: the
 * request's `limit`, the `elapsedMillis` since the request began, and the attempt's share when it
 * was less than the whole. Any other error is returned as it is.
 *
 * @internal
 */
export const asRequestBudget = <E extends { readonly _tag: string }>(
  error: E,
  limit: Duration.Duration,
  elapsedMillis: number
): E => {
  if (error._tag !== "TotalTimeout" && error._tag !== "RequestTimeout") return error
  const own = error as unknown as ZombieRequestError.TotalTimeout | ZombieRequestError.RequestTimeout
  const limitMillis = Duration.toMillis(limit)
  const fields = {
    limitMillis,
    elapsedMillis,
    chunks: own.chunks,
    sinceLastEventMillis: own.sinceLastEventMillis,
    lastEvent: own.lastEvent,
    attemptLimitMillis: own.limitMillis < limitMillis ? own.limitMillis : undefined
  }
  return (own._tag === "TotalTimeout"
    ? new ZombieRequestError.TotalTimeout(fields)
    : new ZombieRequestError.RequestTimeout(fields)) as unknown as E
}
