/**
 * What can go wrong between the client and the upstream besides a timeout: the upstream answered
 * with an HTTP error, or the connection itself failed.
 *
 * @since 0.1.0
 */
import type { GuardError } from "@streamguard/core/GuardError"
import {
  ConnectTimeout,
  HeadersTimeout,
  PoolTimeout,
  RequestTimeout,
  WriteTimeout
} from "@streamguard/core/TimeoutError"
import * as TransportFailure from "@streamguard/kernel/client/TransportFailure"
import * as UpstreamHttpFailure from "@streamguard/kernel/client/UpstreamHttpFailure"
import * as Messages from "@streamguard/kernel/Messages"
import type { DecodeError } from "@streamguard/protocols/ProtocolError"
import * as Schema from "effect/Schema"

/**
 * The most bytes of an error response's body that are read and kept.
 *
 * @since 0.1.0
 * @category constants
 */
export const maxExcerptBytes: number = UpstreamHttpFailure.maxExcerptBytes

/**
 * The upstream answered with a status outside 2xx before any content. The body is read only up
 * to `maxExcerptBytes` (then the connection is destroyed, never reused).
 *
 * - `retryAfterMillis`: from `retry-after-ms` or `retry-after` (seconds or an HTTP date).
 * - `providerErrorType`: the provider's error type when the body says it (OpenAI
 *   `{"error":{"type"}}`, Anthropic `{"type":"error","error":{"type"}}`, Gemini
 *   `{"error":{"status"}}`).
 *
 * @since 0.1.0
 * @category errors
 */
export class UpstreamHttpError extends Schema.TaggedError<UpstreamHttpError>("@streamguard/client/UpstreamHttpError")(
  "UpstreamHttpError",
  {
    status: Schema.Number,
    retryAfterMillis: Schema.optional(Schema.Number),
    /** The start of the body, at most 2 KiB of UTF-8. */
    bodyExcerpt: Schema.String,
    providerErrorType: Schema.optional(Schema.String),
    providerMessage: Schema.optional(Schema.String)
  }
) {
  /** @since 0.1.0 */
  get outcome(): "upstream_http_error" {
    return "upstream_http_error"
  }
  /** @since 0.1.0 */
  override get message(): string {
    return Messages.upstreamHttpError(this)
  }
}

/**
 * Why a connection failed.
 *
 * - `refused`: nothing listens there (`ECONNREFUSED`).
 * - `reset`: the peer reset the connection (`ECONNRESET`, `EPIPE`).
 * - `closed`: the peer closed the connection before the response was complete.
 * - `dns`: the host name did not resolve.
 * - `tls`: the TLS handshake or certificate failed.
 * - `invalid_request`: the request could not be sent as given (bad URL, body).
 * - `other`: anything else; `code` and `detail` say what.
 *
 * @since 0.1.0
 * @category models
 */
export const TransportReason: Schema.Literals<typeof TransportFailure.reasons> = Schema.Literals(
  TransportFailure.reasons
)

/**
 * @since 0.1.0
 * @category models
 */
export type TransportReason = typeof TransportReason.Type

/**
 * The connection failed. `stage` says when: `"request"` before the response headers (nothing was
 * received: safe to retry), `"response"` while the body streamed (a mid-stream reset: content may
 * already have been delivered). Never a timeout: those are the `TimeoutError`s.
 *
 * @since 0.1.0
 * @category errors
 */
export class TransportError extends Schema.TaggedError<TransportError>("@streamguard/client/TransportError")(
  "TransportError",
  {
    reason: TransportReason,
    stage: Schema.Literals(["request", "response"]),
    /** The system or undici error code, e.g. `ECONNREFUSED`, `UND_ERR_SOCKET`. */
    code: Schema.optional(Schema.String),
    detail: Schema.String
  }
) {
  /** @since 0.1.0 */
  get outcome(): "transport_error" {
    return "transport_error"
  }
  /** @since 0.1.0 */
  override get message(): string {
    return Messages.transportError(this)
  }
}

/**
 * @since 0.1.0
 * @category errors
 */
export type ClientError = UpstreamHttpError | TransportError

/**
 * @since 0.1.0
 * @category schemas
 */
export const ClientError: Schema.Union<readonly [typeof UpstreamHttpError, typeof TransportError]> = Schema.Union([
  UpstreamHttpError,
  TransportError
])

/**
 * @since 0.1.0
 * @category guards
 */
export const isUpstreamHttpError: (u: unknown) => u is UpstreamHttpError = Schema.is(UpstreamHttpError)

/**
 * What one attempt to open a request can fail with: the input of a retry `Schedule`.
 *
 * @since 0.1.0
 * @category errors
 */
export type AttemptError = ClientError | PoolTimeout | ConnectTimeout | WriteTimeout | HeadersTimeout

/**
 * @since 0.1.0
 * @category schemas
 */
export const AttemptError: Schema.Union<
  readonly [
    typeof UpstreamHttpError,
    typeof TransportError,
    typeof PoolTimeout,
    typeof ConnectTimeout,
    typeof WriteTimeout,
    typeof HeadersTimeout
  ]
> = Schema.Union([UpstreamHttpError, TransportError, PoolTimeout, ConnectTimeout, WriteTimeout, HeadersTimeout])

/**
 * What a stream can fail with: an attempt's failure, the guard's (timeouts, error signal,
 * unexpected end), and the dialect's decoding errors.
 *
 * @since 0.1.0
 * @category errors
 */
export type StreamError = AttemptError | GuardError | DecodeError

/**
 * What a batch request can fail with.
 *
 * @since 0.1.0
 * @category errors
 */
export type BatchError = AttemptError | RequestTimeout

/**
 * @since 0.1.0
 * @category schemas
 */
export const BatchError: Schema.Union<
  readonly [
    typeof UpstreamHttpError,
    typeof TransportError,
    typeof PoolTimeout,
    typeof ConnectTimeout,
    typeof WriteTimeout,
    typeof HeadersTimeout,
    typeof RequestTimeout
  ]
> = Schema.Union([
  UpstreamHttpError,
  TransportError,
  PoolTimeout,
  ConnectTimeout,
  WriteTimeout,
  HeadersTimeout,
  RequestTimeout
])

/**
 * @since 0.1.0
 * @category guards
 */
export const isBatchError: (u: unknown) => u is BatchError = Schema.is(BatchError)
