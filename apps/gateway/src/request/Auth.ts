/**
 * Gateway keys: with keys configured, a request to any endpoint but `/healthz` and `/readyz` must
 * present one of them, or it gets 401. The client's key ends here: it is never forwarded
 * upstream, and never logged.
 *
 * @since 0.1.0
 */
import type { HttpServerResponse } from "@effect/platform"
import { HttpServerRequest } from "@effect/platform"
import { Effect, Redacted } from "effect"
import { createHash, timingSafeEqual } from "node:crypto"
import * as ErrorResponse from "../api/ErrorResponse.js"
import { GatewayConfig } from "../config/Config.js"

// Hashing first gives equal-length buffers, so timingSafeEqual can compare keys of any length
// without leaking it.
const digest = (key: string): Buffer => createHash("sha256").update(key).digest()

/**
 * Checks the request's key against the configured gateway keys.
 *
 * @since 0.1.0
 * @category services
 */
export class Auth extends Effect.Service<Auth>()("gateway/Auth", {
  effect: Effect.gen(function*() {
    const config = yield* GatewayConfig
    const keys = config.gatewayKeys.map((key) => digest(Redacted.value(key)))
    /**
     * True when auth is off (no keys configured) or the headers carry a valid key: OpenAI SDKs
     * send `authorization: Bearer <key>`, Anthropic's `x-api-key: <key>`.
     */
    const check = (headers: Readonly<Record<string, string | undefined>>): boolean => {
      if (keys.length === 0) return true
      const authorization = headers["authorization"]
      const presented = authorization !== undefined && /^bearer\s+/i.test(authorization)
        ? authorization.replace(/^bearer\s+/i, "").trim()
        : headers["x-api-key"]?.trim()
      if (presented === undefined || presented.length === 0) return false
      const hashed = digest(presented)
      return keys.some((key) => timingSafeEqual(key, hashed))
    }
    return { check } as const
  })
}) {}

/**
 * Runs `handler` only for a request that carries a valid gateway key (or when auth is off);
 * otherwise answers 401 in OpenAI's error shape, for the endpoints outside any dialect
 * (`/v1/models`, `/metrics`, `/streams.json`), or with `refused` when given (the `/streams`
 * page's key form, which holds no data).
 *
 * @since 0.1.0
 * @category combinators
 */
export const withKey = <E, R>(
  handler: Effect.Effect<HttpServerResponse.HttpServerResponse, E, R>,
  refused: () => HttpServerResponse.HttpServerResponse = () =>
    ErrorResponse.toResponse("openaiChat", ErrorResponse.unauthorized())
): Effect.Effect<HttpServerResponse.HttpServerResponse, E, R | Auth | HttpServerRequest.HttpServerRequest> =>
  Effect.flatMap(
    Effect.zip(Auth, HttpServerRequest.HttpServerRequest),
    ([auth, request]) => auth.check(request.headers) ? handler : Effect.sync(refused)
  )
