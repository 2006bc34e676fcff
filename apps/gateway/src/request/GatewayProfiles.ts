/**
 * The request profiles the gateway knows, and the choice of one per request: the
 * `x-streamguard-profile` header, else the upstream's default, else the configured default.
 *
 * @since 0.1.0
 */
import { RequestProfile } from "@streamguard/core"
import { Context, Effect, Layer, Result } from "effect"
import * as ErrorResponse from "../api/ErrorResponse.js"
import { GatewayConfig, profilePolicies } from "../config/Config.js"
import { ConfigLoadError } from "../config/ConfigLoadError.js"
import type { Upstream } from "../config/Upstream.js"

/**
 * The request header that picks a profile.
 *
 * @since 0.1.0
 * @category constants
 */
export const header = "x-streamguard-profile"

/**
 * Every profile resolved once at start-up: built-in < config file < `STREAMGUARD_<PROFILE>_<FIELD>_TIMEOUT`
 * (and `STREAMGUARD_<PROFILE>_MIN_RATE`), by core's `ProfileConfig.resolveAll` over the profile entries of
 * the gateway's own config.
 *
 * @since 0.1.0
 * @category services
 */
export class GatewayProfiles extends Context.Service<GatewayProfiles>()("gateway/Profiles", {
  make: Effect.gen(function*() {
    const config = yield* GatewayConfig
    const policies = yield* profilePolicies(config.profiles)
    const profiles = new Map<string, RequestProfile.Service>()
    for (const [name, policy] of policies) profiles.set(name, RequestProfile.make(name, policy))
    const known = [...profiles.keys()]
    for (
      const [key, name] of [
        ["defaultProfile", config.defaultProfile] as const,
        ...config.upstreams.flatMap((u) =>
          u.defaultProfile === undefined ? [] : [[`upstreams.${u.name}.defaultProfile`, u.defaultProfile] as const]
        )
      ]
    ) {
      if (!profiles.has(name)) {
        return yield* new ConfigLoadError({ key, reason: `unknown profile ${name}; known: ${known.join(", ")}` })
      }
    }

    /**
     * The profile for one request; an unknown header value is a 400 naming the known profiles.
     */
    const select = (
      requested: string | undefined,
      upstream: Upstream | undefined
    ): Result.Result<RequestProfile.Service, ErrorResponse.GatewayError> => {
      const name = requested?.trim() || upstream?.defaultProfile || config.defaultProfile
      const profile = profiles.get(name)
      return profile === undefined
        ? Result.fail(
          ErrorResponse.badRequest(`unknown profile ${JSON.stringify(name)}; known: ${known.join(", ")}`, header)
        )
        : Result.succeed(profile)
    }
    return { select, known, profiles: profiles as ReadonlyMap<string, RequestProfile.Service> } as const
  })
}) {
  /**
   * The profiles of the gateway's config; a default profile that names none fails start-up.
   *
   * @since 0.1.0
   */
  static readonly layer: Layer.Layer<GatewayProfiles, ConfigLoadError, GatewayConfig> = Layer.effect(
    GatewayProfiles,
    GatewayProfiles.make
  )
}
