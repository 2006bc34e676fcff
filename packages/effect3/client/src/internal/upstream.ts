/**
 * Reading what an upstream failure says, in this line's error classes: the transport error behind
 * a platform error, and an error answer read from a platform response into its bounded excerpt.
 * The rules (the reasons of error codes, the excerpt, `retry-after`, the provider's error type)
 * are the kernel's.
 *
 * @internal
 */
import type * as HttpClientError from "@effect/platform/HttpClientError"
import type * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as TransportFailure from "@streamguard/kernel/client/TransportFailure"
import * as UpstreamHttpFailure from "@streamguard/kernel/client/UpstreamHttpFailure"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import { TransportError, UpstreamHttpError } from "../ClientError.js"

/** A platform client error as a `TransportError`. */
export const toTransportError = (
  error: HttpClientError.HttpClientError,
  stage: "request" | "response"
): TransportError => {
  if (error._tag === "RequestError" && error.reason !== "Transport") {
    return new TransportError(TransportFailure.invalidRequest(error.message, stage))
  }
  return transportError(error.cause ?? error, stage)
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
  response.stream.pipe(
    Stream.interruptAfter(within),
    Stream.catchAll(() => Stream.empty),
    Stream.runFoldWhile(new UpstreamHttpFailure.Excerpt(), (excerpt) => !excerpt.complete(), (excerpt, chunk) => {
      excerpt.add(chunk)
      return excerpt
    }),
    Effect.map((excerpt) => new UpstreamHttpError(excerpt.failure(response.status, response.headers, now)))
  )

/** How long an error body may take to arrive. */
export const excerptWithin = (chunkLimit: Option.Option<Duration.Duration>): Duration.Duration =>
  Duration.millis(UpstreamHttpFailure.excerptWithinMillis(
    Option.match(chunkLimit, { onNone: () => Infinity, onSome: Duration.toMillis })
  ))
