/**
 * A connection that failed, as plain data: why (a reason from a short list), when (before the
 * response or while it streamed), the system's or undici's code and what it said. Each Effect
 * line turns it into its `TransportError` class, whose message is `Messages.transportError`.
 *
 * @since 0.1.0
 */

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
 * @category constants
 */
export const reasons = ["refused", "reset", "closed", "dns", "tls", "invalid_request", "other"] as const

/**
 * @since 0.1.0
 * @category models
 */
export type Reason = typeof reasons[number]

/**
 * When a connection failed: `request`, before the response headers (nothing was received, so it
 * is safe to retry), or `response`, while the body streamed (content may have been delivered).
 *
 * @since 0.1.0
 * @category models
 */
export type Stage = "request" | "response"

/**
 * The data of a failed connection.
 *
 * @since 0.1.0
 * @category models
 */
export interface TransportFailure {
  readonly reason: Reason
  readonly stage: Stage
  /** The system or undici error code, e.g. `ECONNREFUSED`, `UND_ERR_SOCKET`. */
  readonly code?: string | undefined
  readonly detail: string
}

const codeReasons: Readonly<Record<string, Reason>> = {
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

/**
 * What a connection failed with (undici's error, a system error, anything thrown) as a
 * `TransportFailure`: the reason its most specific known code stands for; without a code, `closed`
 * while the response streamed, else `other`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const fromCause = (cause: unknown, stage: Stage): TransportFailure => {
  const found = findCode(cause)
  const detail = found?.message ?? (cause instanceof Error ? cause.message : String(cause))
  return {
    reason: found === undefined ? (stage === "response" ? "closed" : "other") : codeReasons[found.code] ?? "other",
    stage,
    ...(found === undefined ? {} : { code: found.code }),
    detail
  }
}

/**
 * A request that could not be sent as given (a bad URL, a body the client cannot send).
 *
 * @since 0.1.0
 * @category constructors
 */
export const invalidRequest = (detail: string, stage: Stage = "request"): TransportFailure => ({
  reason: "invalid_request",
  stage,
  detail
})
