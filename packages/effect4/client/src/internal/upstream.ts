/**
 * Reading what an upstream failure says, in this line's error classes: the transport error behind
 * an `HttpClientError` (its `reason`), and an error answer read from a response into its bounded
 * excerpt. The rules (the reasons of error codes, the excerpt, `retry-after`, the provider's error
 * type) are the kernel's.
 *
 * @internal
 */
import * as TransportFailure from "@streamguard/kernel/client/TransportFailure"
import * as UpstreamHttpFailure from "@streamguard/kernel/client/UpstreamHttpFailure"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import type * as HttpClientError from "effect/http/HttpClientError"
import type * as HttpClientResponse from "effect/http/HttpClientResponse"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import { TransportError, UpstreamHttpError } from "../ClientError.js"

/** An `HttpClientError` as a `TransportError`: a request that could not be sent as given, or what the connection failed with. */
export const toTransportError = (
  error: HttpClientError.HttpClientError,
  stage: "request" | "response"
): TransportError => {
  const reason = error.reason
  if (reason._tag === "EncodeError" || reason._tag === "InvalidUrlError") {
    return new TransportError(TransportFailure.invalidRequest(reason.message, stage))
  }
  return transportError(reason.cause ?? error, stage)
}

/** What the connection failed with (undici's error, a system error) as a `TransportError`. */
export const transportError = (cause: unknown, stage: "request" | "response"): TransportError =>
  new TransportError(TransportFailure.fromCause(cause, stage))

/**
 * Reads the body until the excerpt is complete, the body ends, or `within` passes, then builds
 * the error. Whatever arrived by then is the excerpt; a failing or endless body never blocks it.
 */
export const upstreamHttpError = (
  response: HttpClientResponse.HttpClientResponse,
  now: number,
  within: Duration.Duration
): Effect.Effect<UpstreamHttpError> =>
  Effect.suspend(() => {
    const excerpt = new UpstreamHttpFailure.Excerpt()
    return Stream.runForEachWhile(response.stream, (chunk) => Effect.sync(() => !excerpt.add(chunk))).pipe(
      Effect.ignore,
      Effect.timeoutOption(within),
      Effect.map(() => new UpstreamHttpError(excerpt.failure(response.status, response.headers, now)))
    )
  })

/** How long an error body may take to arrive. */
export const excerptWithin = (chunkLimit: Option.Option<Duration.Duration>): Duration.Duration =>
  Duration.millis(UpstreamHttpFailure.excerptWithinMillis(
    Option.match(chunkLimit, { onNone: () => Infinity, onSome: Duration.toMillis })
  ))
