/**
 * Gateway keys: a request must present one of the configured bearer tokens, or it gets 401.
 * The client's key ends here: it is never forwarded upstream, and never logged.
 *
 * @since 0.1.0
 */
import { Effect, Redacted } from "effect"
import { createHash, timingSafeEqual } from "node:crypto"
import { GatewayConfig } from "./Config.js"

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
