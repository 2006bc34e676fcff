/**
 * The request profiles the gateway knows, and the choice of one per request: the
 * `x-streamguard-profile` header, else the upstream's default, else the configured default.
 *
 * @since 0.1.0
 */
import { RequestProfile } from "@streamguard/core-effect3"
import { Effect, Either, Option } from "effect"
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
export class GatewayProfiles extends Effect.Service<GatewayProfiles>()("gateway/Profiles", {
  effect: Effect.gen(function*() {
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
    ): Either.Either<RequestProfile.Service, ErrorResponse.GatewayError> => {
      const name = requested?.trim() || upstream?.defaultProfile || config.defaultProfile
      return Option.match(Option.fromNullable(profiles.get(name)), {
        onNone: () =>
          Either.left(
            ErrorResponse.badRequest(`unknown profile ${JSON.stringify(name)}; known: ${known.join(", ")}`, header)
          ),
        onSome: Either.right
      })
    }
    return { select, known, profiles: profiles as ReadonlyMap<string, RequestProfile.Service> } as const
  })
}) {}
