/**
 * Every error the gateway answers, in the client's own dialect: a JSON body with a status before
 * any byte went out, or one in-band error event once a stream has started.
 *
 * @since 0.1.0
 */
import { StreamOutcome } from "@streamguard/core"
import type { Dialect } from "@streamguard/protocols"
import { Predicate, Redacted, Schema } from "effect"
import * as HttpServerResponse from "effect/http/HttpServerResponse"
import type { Endpoint } from "./Endpoint.js"

/**
 * One error, as the gateway reports it (in an HTTP body, an in-band event, a log line). `type` is
 * a stream outcome (`chunk_timeout`, ...) for stream failures, or the provider-style type
 * (`invalid_request_error`, ...) for request mistakes; `detail` is the client-facing text, never
 * holding a key, an upstream's address or an internal detail; `logDetail` is what only the server
 * log gets (a system error with the address it failed on), scrubbed of keys too.
 *
 * @since 0.1.0
 * @category errors
 */
export class GatewayError extends Schema.TaggedError<GatewayError>("gateway/GatewayError")("GatewayError", {
  status: Schema.Number,
  type: Schema.String,
  code: Schema.NullOr(Schema.String),
  detail: Schema.String,
  /** The request field at fault (`messages.0.role`), for schema errors. */
  param: Schema.optional(Schema.String),
  /** The policy phase that expired (`chunk`, `firstChunk`, ...), for timeouts. */
  phase: Schema.optional(Schema.String),
  elapsedMillis: Schema.optional(Schema.Number),
  chunks: Schema.optional(Schema.Number),
  /** Seconds, passed through from the upstream or chosen by admission. */
  retryAfter: Schema.optional(Schema.String),
  /** For the server log only: what the gateway saw behind `detail` (never in a response). */
  logDetail: Schema.optional(Schema.String)
}) {
  /**
   * The text for the server log: `detail`, followed by `logDetail` when there is one. Responses
   * and in-band events carry `detail` alone.
   *
   * @since 0.1.0
   */
  override get message(): string {
    return this.logDetail === undefined ? this.detail : `${this.detail}: ${this.logDetail}`
  }
}

/**
 * @since 0.1.0
 * @category constructors
 */
export const badRequest = (message: string, param?: string): GatewayError =>
  new GatewayError({ status: 400, type: "invalid_request_error", code: "invalid_request", detail: message, param })

/**
 * @since 0.1.0
 * @category constructors
 */
export const unauthorized = (): GatewayError =>
  new GatewayError({
    status: 401,
    type: "authentication_error",
    code: "invalid_api_key",
    detail: "missing or invalid gateway key: send `authorization: Bearer <key>`"
  })

/**
 * @since 0.1.0
 * @category constructors
 */
export const modelNotFound = (model: string, endpoint: Endpoint): GatewayError =>
  new GatewayError({
    status: 404,
    type: "not_found_error",
    code: "model_not_found",
    detail: `no upstream serves model ${JSON.stringify(model)} on this endpoint (${endpoint})`,
    param: "model"
  })

/**
 * @since 0.1.0
 * @category constructors
 */
export const notFound = (path: string): GatewayError =>
  new GatewayError({ status: 404, type: "not_found_error", code: "not_found", detail: `no route for ${path}` })

/**
 * @since 0.1.0
 * @category constructors
 */
export const tooLarge = (limit: number): GatewayError =>
  new GatewayError({
    status: 413,
    type: "request_too_large",
    code: "request_too_large",
    detail: `request body exceeds ${limit} bytes`
  })

/**
 * @since 0.1.0
 * @category constructors
 */
export const unsupportedMediaType = (contentType: string): GatewayError =>
  new GatewayError({
    status: 415,
    type: "invalid_request_error",
    code: "unsupported_media_type",
    detail: `the body must be JSON: send content-type: application/json (got ${JSON.stringify(contentType)})`
  })

/**
 * @since 0.1.0
 * @category constructors
 */
export const overloaded = (message: string, retryAfterSeconds: number): GatewayError =>
  new GatewayError({
    status: 503,
    type: "pool_timeout",
    code: "overloaded",
    phase: "pool",
    detail: message,
    retryAfter: String(retryAfterSeconds)
  })

/**
 * @since 0.1.0
 * @category constructors
 */
export const shuttingDown = (): GatewayError =>
  new GatewayError({
    status: 503,
    type: "shutting_down",
    code: "shutting_down",
    detail: "the gateway is shutting down",
    retryAfter: "1"
  })

const numberField = (u: unknown, key: string): number | undefined =>
  Predicate.hasProperty(u, key) && typeof u[key] === "number" ? u[key] : undefined

const stringField = (u: unknown, key: string): string | undefined =>
  Predicate.hasProperty(u, key) && typeof u[key] === "string" ? u[key] : undefined

/**
 * Where a failure happened, for its message: the upstream's name, and the secrets (every
 * configured upstream key) that must never reach a client or a log.
 *
 * @since 0.1.0
 * @category models
 */
export interface FailureContext {
  readonly upstream: string
  readonly secrets: ReadonlyArray<Redacted.Redacted>
}

/**
 * Replaces every occurrence of each secret's value in `text` with `[redacted]`. Upstream text (an
 * error body, a provider message) can echo the key the gateway sent it.
 *
 * @since 0.1.0
 * @category encoding
 */
export const scrub = (text: string, secrets: ReadonlyArray<Redacted.Redacted>): string => {
  let out = text
  for (const secret of secrets) {
    const value = Redacted.value(secret)
    if (value.length > 0) out = out.split(value).join("[redacted]")
  }
  return out
}

/**
 * Reads a StreamGuard failure (core, protocols or client error) into a `GatewayError`: its
 * `outcome` names the type, `phase` the expired limit, and the status follows the rule: 504 for
 * timeouts, 429/503 and client-mistake statuses from the upstream passed through (with
 * `retry-after`), 502 for other upstream failures.
 *
 * The message is the error's own with every secret of `context` scrubbed out, except: an upstream
 * 401/403 says only that the upstream rejected the gateway's credentials (its body may quote the
 * key); a transport or protocol failure says what failed and the upstream's configured name, and
 * its own text (the address it failed on, the bytes it could not read) goes to `logDetail`; and
 * anything that is not a StreamGuard failure (a defect) is a fixed "internal error" (the caller
 * logs the defect itself, scrubbed).
 *
 * @since 0.1.0
 * @category constructors
 */
export const fromFailure = (error: unknown, context: FailureContext): GatewayError => {
  if (error instanceof GatewayError) return error
  const outcome: StreamOutcome.StreamOutcome | "internal_error" = StreamOutcome.hasOutcome(error)
    ? error.outcome
    : "internal_error"
  const upstreamStatus = numberField(error, "status")
  const own = scrub(error instanceof Error ? error.message : String(error), context.secrets)
  const generic = genericMessage(outcome, error, context.upstream)
  const message = outcome === "internal_error"
    ? "internal error"
    : outcome === "upstream_http_error" && (upstreamStatus === 401 || upstreamStatus === 403)
    ? `upstream rejected the gateway's credentials (upstream ${context.upstream})`
    : generic ?? own
  const retryAfterMillis = numberField(error, "retryAfterMillis")
  const retryAfter = retryAfterMillis === undefined
    ? undefined
    : String(Math.max(1, Math.ceil(retryAfterMillis / 1000)))
  const status = outcome === "pool_timeout"
    ? 503
    : outcome.endsWith("_timeout")
    ? 504
    : outcome === "upstream_http_error" && upstreamStatus !== undefined && passesThrough(upstreamStatus)
    ? upstreamStatus
    : outcome === "internal_error"
    ? 500
    : 502
  return new GatewayError({
    status,
    type: outcome,
    code: outcome === "upstream_http_error" && upstreamStatus !== undefined ? String(upstreamStatus) : outcome,
    detail: message,
    phase: stringField(error, "phase"),
    elapsedMillis: numberField(error, "elapsedMillis"),
    chunks: numberField(error, "chunks"),
    retryAfter: retryAfter ?? (status === 503 && outcome === "pool_timeout" ? "1" : undefined),
    logDetail: generic === undefined ? undefined : own
  })
}

/**
 * The client-facing text of failures whose own message holds what only the operator may see: a
 * transport error names the address and port it failed on, a protocol error the upstream's path
 * and bytes. Undefined for the others, whose own message is fit for the client.
 */
const genericMessage = (outcome: string, error: unknown, upstream: string): string | undefined => {
  switch (outcome) {
    case "transport_error":
      return stringField(error, "stage") === "response"
        ? `the connection to the upstream failed while the response streamed (upstream ${upstream})`
        : `the upstream could not be reached (upstream ${upstream})`
    case "protocol_error":
      return `the upstream sent a response the gateway could not read (upstream ${upstream})`
    default:
      return undefined
  }
}

/**
 * Upstream statuses the client sees as they are: rate limits and overload (429, 503, with their
 * `retry-after`) and the client's own mistakes the provider caught (400, 404, 409, 413, 422). An
 * upstream 401/403 is the gateway's key problem, not the client's, so it is a 502 like any other.
 */
const passesThrough = (status: number): boolean =>
  status === 429 || status === 503 || status === 400 || status === 404 || status === 409 || status === 413 ||
  status === 422

const details = (error: GatewayError) => ({
  ...(error.phase === undefined ? {} : { phase: error.phase }),
  ...(error.elapsedMillis === undefined ? {} : { elapsed_ms: error.elapsedMillis }),
  ...(error.chunks === undefined ? {} : { chunks: error.chunks })
})

/**
 * The error as the endpoint's dialect shapes an error body. OpenAI: `{ error: { message, type,
 * param, code, ... } }`; Anthropic: `{ type: "error", error: { type, message, ... } }`. StreamGuard
 * adds `phase`, `elapsed_ms` and `chunks` when known.
 *
 * @since 0.1.0
 * @category encoding
 */
export const body = (endpoint: Endpoint, error: GatewayError): Record<string, unknown> =>
  endpoint === "anthropic"
    ? { type: "error", error: { type: error.type, message: error.detail, ...details(error) } }
    : {
      error: {
        message: error.detail,
        type: error.type,
        param: error.param ?? null,
        code: error.code,
        ...details(error)
      }
    }

/**
 * The error as a JSON response, with `retry-after` when it has one.
 *
 * @since 0.1.0
 * @category encoding
 */
export const toResponse = (endpoint: Endpoint, error: GatewayError): HttpServerResponse.HttpServerResponse =>
  HttpServerResponse.jsonUnsafe(
    body(endpoint, error),
    error.retryAfter === undefined
      ? { status: error.status }
      : { status: error.status, headers: { "retry-after": error.retryAfter } }
  )

/**
 * The error as the fields of an in-band error event (`Dialect.errorEvent` shapes it per dialect):
 * the outcome as `type`, plus `phase`, `elapsed_ms` and `chunks` when known.
 *
 * @since 0.1.0
 * @category encoding
 */
export const inBand = (error: GatewayError): Dialect.InBandError => ({
  message: error.detail,
  type: error.type,
  code: error.code,
  ...details(error)
})
