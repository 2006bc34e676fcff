/**
 * How one HTTP attempt reaches the upstream: the seam between the client's logic (pool, retries,
 * errors) and a way of sending requests (undici's `dispatch`, or any `HttpClient`).
 *
 * @internal
 */
import type * as Guard from "@streamguard/core/Guard"
import type * as Dialect from "@streamguard/protocols/Dialect"
import type * as Duration from "effect/Duration"
import type * as Effect from "effect/Effect"
import type * as HttpClientRequest from "effect/http/HttpClientRequest"
import type { BatchResponse } from "../BatchResponse.js"
import type { AttemptError, StreamError } from "../ClientError.js"

/**
 * One attempt of a call: the request, the guard's feed it reports to (phases, and for a stream the
 * events), and how long an error body may take to arrive.
 *
 * @internal
 */
export interface Attempt<A> {
  readonly request: HttpClientRequest.HttpClientRequest
  readonly feed: Guard.Feed<A, StreamError>
  readonly excerptWithin: Duration.Duration
}

/** @internal */
export interface Transport {
  /**
   * Sends a streamed request. Resolves once a 2xx response started streaming into the feed
   * (decoded by `dialect`); fails before that with the attempt's error (a non-2xx answer read into an
   * `UpstreamHttpError`, a connection that failed). What happens after the response started (data,
   * its end, a reset) goes to the feed, never to this effect.
   */
  readonly stream: <A>(
    attempt: Attempt<A>,
    dialect: Dialect.Dialect<A>,
    options: Dialect.DecodeOptions | undefined
  ) => Effect.Effect<void, AttemptError>
  /** Sends a request and reads its whole 2xx answer. */
  readonly batch: (attempt: Attempt<BatchResponse>) => Effect.Effect<BatchResponse, AttemptError>
}
