/**
 * HTTP over any `HttpClient` of `effect/http` (an in-memory test upstream, a user's own client):
 * the attempt's fiber executes the request in a scope of its own and pumps the response body
 * through the dialect's decoder into the guard's feed. The guard stops it by interrupting that
 * fiber, which closes the scope and so aborts the request.
 *
 * A generic client cannot tell when a connection was made or the body sent: the `connect` and
 * `write` phases are not told apart, and the `headers` limit counts from the start.
 *
 * @internal
 */
import * as Guard from "@streamguard/core/Guard"
import { isSuccessStatus } from "@streamguard/kernel/StreamOutcome"
import * as Effect from "effect/Effect"
import * as HttpClient from "effect/http/HttpClient"
import * as Stream from "effect/Stream"
import { BatchResponse } from "../BatchResponse.js"
import type { StreamError } from "../ClientError.js"
import type { Attempt, Transport } from "./transport.js"
import { toTransportError, upstreamHttpError } from "./upstream.js"

/**
 * The transport over `client`.
 *
 * @internal
 */
export const make = (client: HttpClient.HttpClient): Transport => {
  const scoped = HttpClient.withScope(client)
  /** Sends the request and waits for a 2xx answer; any other status fails as the upstream's error. */
  const respond = (attempt: Attempt<any>) =>
    Effect.suspend(() => {
      attempt.feed.phase("headers")
      return Effect.mapError(scoped.execute(attempt.request), (error) => toTransportError(error, "request"))
    }).pipe(
      Effect.filterOrElse(
        (response) => isSuccessStatus(response.status),
        (response) => Effect.flip(upstreamHttpError(response, Date.now(), attempt.excerptWithin))
      )
    )
  return {
    stream: (attempt, dialect, options) =>
      Effect.scoped(Effect.gen(function*() {
        const response = yield* respond(attempt)
        attempt.feed.opened()
        // What happens from here on is the stream's, not the attempt's: the feed hears it all.
        const bytes = Stream.mapError(response.stream, (error): StreamError => toTransportError(error, "response"))
        yield* Guard.pump(dialect.decode(bytes, options), attempt.feed)
      })),
    batch: (attempt) =>
      Effect.scoped(Effect.gen(function*() {
        const response = yield* respond(attempt)
        const text = yield* Effect.mapError(response.text, (error) => toTransportError(error, "response"))
        return new BatchResponse({ status: response.status, headers: { ...response.headers }, text })
      }))
  }
}
