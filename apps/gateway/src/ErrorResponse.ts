/**
 * Every error the gateway answers, in the client's own dialect: a JSON body with a status before
 * any byte went out, or one in-band error event once a stream has started.
 *
 * @since 0.1.0
 */
import { Headers, HttpServerResponse } from "@effect/platform"
import { StreamOutcome } from "@streamguard/core"
import type { Dialect } from "@streamguard/protocols"
import { Predicate, Redacted, Schema } from "effect"

/**
 * The client-facing dialects: one per endpoint.
 *
 * @since 0.1.0
 * @category models
 */
export type Endpoint = "openaiChat" | "openaiResponses" | "anthropic"

/**
 * One error, as the gateway reports it (in an HTTP body, an in-band event, a log line). `type` is
 * a stream outcome (`chunk_timeout`, ...) for stream failures, or the provider-style type
 * (`invalid_request_error`, ...) for request mistakes; `detail` is the client-facing text, never
 * holding a key.
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
  retryAfter: Schema.optional(Schema.String)
}) {
  /**
   * The client-facing text (`detail`).
   *
   * @since 0.1.0
   */
  override get message(): string {
    return this.detail
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
 * key), and anything that is not a StreamGuard failure (a defect) is a fixed "internal error"
 * (the caller logs the defect itself, scrubbed).
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
  const message = outcome === "internal_error"
    ? "internal error"
    : outcome === "upstream_http_error" && (upstreamStatus === 401 || upstreamStatus === 403)
    ? `upstream rejected the gateway's credentials (upstream ${context.upstream})`
    : scrub(error instanceof Error ? error.message : String(error), context.secrets)
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
    retryAfter: retryAfter ?? (status === 503 && outcome === "pool_timeout" ? "1" : undefined)
  })
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
    ? { type: "error", error: { type: error.type, message: error.message, ...details(error) } }
    : {
      error: {
        message: error.message,
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
  HttpServerResponse.unsafeJson(body(endpoint, error), {
    status: error.status,
    headers: error.retryAfter === undefined ? Headers.empty : Headers.fromInput({ "retry-after": error.retryAfter })
  })

/**
 * The error as the fields of an in-band error event (`Dialect.errorEvent` shapes it per dialect):
 * the outcome as `type`, plus `phase`, `elapsed_ms` and `chunks` when known.
 *
 * @since 0.1.0
 * @category encoding
 */
export const inBand = (error: GatewayError): Dialect.InBandError => ({
  message: error.message,
  type: error.type,
  code: error.code,
  ...details(error)
})
