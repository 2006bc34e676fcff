/**
 * Reading what an upstream failure says: the transport error behind a platform error, the
 * bounded excerpt of an error body, `retry-after`, the provider's error type.
 *
 * @internal
 */
import type * as HttpClientError from "@effect/platform/HttpClientError"
import type * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import { excerptBytes } from "@streamguard/protocols-effect3/ProtocolError"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import type { TransportReason } from "../ClientError.js"
import { maxExcerptBytes, TransportError, UpstreamHttpError } from "../ClientError.js"

const codeReasons: Record<string, TransportReason> = {
  ECONNREFUSED: "refused",
  ECONNRESET: "reset",
  EPIPE: "reset",
  ENOTFOUND: "dns",
  EAI_AGAIN: "dns",
  EAI_NONAME: "dns",
  UND_ERR_SOCKET: "closed",
  UND_ERR_CLOSED: "closed",
  UND_ERR_DESTROYED: "closed",
  UND_ERR_RES_CONTENT_LENGTH_MISMATCH: "closed",
  UND_ERR_INVALID_ARG: "invalid_request",
  UND_ERR_REQ_CONTENT_LENGTH_MISMATCH: "invalid_request",
  ERR_TLS_CERT_ALTNAME_INVALID: "tls",
  DEPTH_ZERO_SELF_SIGNED_CERT: "tls",
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: "tls",
  CERT_HAS_EXPIRED: "tls"
}

/** The most specific error code in a cause chain (undici wraps system errors, AggregateError too). */
const findCode = (cause: unknown, depth = 0): { readonly code: string; readonly message: string } | undefined => {
  if (depth > 5 || typeof cause !== "object" || cause === null) return undefined
  const record = cause as { code?: unknown; message?: unknown; cause?: unknown; errors?: unknown }
  const inner = findCode(record.cause, depth + 1) ??
    (Array.isArray(record.errors) ? findCode(record.errors[0], depth + 1) : undefined)
  if (inner !== undefined && codeReasons[inner.code] !== undefined) return inner
  if (typeof record.code === "string") {
    return { code: record.code, message: typeof record.message === "string" ? record.message : record.code }
  }
  return inner
}

/** A platform client error as a `TransportError`. */
export const toTransportError = (
  error: HttpClientError.HttpClientError,
  stage: "request" | "response"
): TransportError => {
  if (error._tag === "RequestError" && error.reason !== "Transport") {
    return new TransportError({ reason: "invalid_request", stage, detail: error.message })
  }
  return transportError(error.cause ?? error, stage)
}

/** What the connection failed with (undici's error, a system error) as a `TransportError`. */
export const transportError = (cause: unknown, stage: "request" | "response"): TransportError => {
  const found = findCode(cause)
  const detail = found?.message ?? (cause instanceof Error ? cause.message : String(cause))
  return new TransportError({
    reason: found === undefined ? (stage === "response" ? "closed" : "other") : codeReasons[found.code] ?? "other",
    stage,
    ...(found === undefined ? {} : { code: found.code }),
    detail
  })
}

/** `retry-after-ms` (OpenAI), else `retry-after` in seconds or as an HTTP date. */
export const retryAfterMillis = (headers: Readonly<Record<string, string | undefined>>, now: number) => {
  const millis = Number(headers["retry-after-ms"])
  if (headers["retry-after-ms"] !== undefined && Number.isFinite(millis) && millis >= 0) return millis
  const value = headers["retry-after"]
  if (value === undefined) return undefined
  const seconds = Number(value)
  if (value.trim() !== "" && Number.isFinite(seconds) && seconds >= 0) return seconds * 1000
  const date = Date.parse(value)
  return Number.isNaN(date) ? undefined : Math.max(0, date - now)
}

const parseJson = Option.liftThrowable((text: string): unknown => JSON.parse(text))

const providerError = (excerpt: string): { readonly type?: string; readonly message?: string } => {
  // Not JSON, or cut off at the excerpt bound: the excerpt speaks for itself.
  const body = Option.getOrUndefined(parseJson(excerpt))
  const error = typeof body === "object" && body !== null ? (body as { error?: unknown }).error : undefined
  if (typeof error !== "object" || error === null) return {}
  const { code, message, status, type } = error as Record<string, unknown>
  const kind = typeof type === "string" ? type : typeof status === "string" ? status : typeof code === "string"
    ? code
    : undefined
  return {
    ...(kind === undefined ? {} : { type: kind }),
    ...(typeof message === "string" ? { message } : {})
  }
}

/**
 * The start of an error response's body, as it arrives: at most `maxExcerptBytes`, and complete as
 * soon as the bytes form a whole JSON document (error bodies usually are one, and the rest of a
 * stalled body is not worth waiting for).
 */
export class Excerpt {
  private bytes = new Uint8Array(0)

  /** Adds a network read; returns whether the excerpt is complete. */
  add(chunk: Uint8Array): boolean {
    if (this.complete()) return true
    const next = new Uint8Array(Math.min(this.bytes.length + chunk.length, maxExcerptBytes + 4))
    next.set(this.bytes)
    next.set(chunk.subarray(0, next.length - this.bytes.length), this.bytes.length)
    this.bytes = next
    return this.complete()
  }

  complete(): boolean {
    return this.bytes.length >= maxExcerptBytes ||
      (this.bytes.length > 0 && Option.isSome(parseJson(new TextDecoder().decode(this.bytes))))
  }

  /** The error the upstream's answer stands for, from what arrived so far. */
  error(status: number, headers: Readonly<Record<string, string | undefined>>, now: number): UpstreamHttpError {
    const bodyExcerpt = excerptBytes(this.bytes, maxExcerptBytes)
    const provider = providerError(bodyExcerpt)
    const retryAfter = retryAfterMillis(headers, now)
    return new UpstreamHttpError({
      status,
      bodyExcerpt,
      ...(retryAfter === undefined ? {} : { retryAfterMillis: retryAfter }),
      ...(provider.type === undefined ? {} : { providerErrorType: provider.type }),
      ...(provider.message === undefined ? {} : { providerMessage: provider.message })
    })
  }
}

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
    Stream.runFoldWhile(new Excerpt(), (excerpt) => !excerpt.complete(), (excerpt, chunk) => {
      excerpt.add(chunk)
      return excerpt
    }),
    Effect.map((excerpt) => excerpt.error(response.status, response.headers, now))
  )

/** How long an error body may take to arrive. */
export const excerptWithin = (chunkLimit: Option.Option<Duration.Duration>): Duration.Duration =>
  Option.match(chunkLimit, {
    onNone: () => Duration.seconds(5),
    onSome: (limit) => Duration.min(limit, Duration.seconds(5))
  })
