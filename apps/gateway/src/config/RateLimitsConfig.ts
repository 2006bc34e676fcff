/**
 * How a request rate is configured (the config file's `rateLimits`), and its check against the
 * configured upstreams. `RateLimiter` counts requests against them.
 *
 * @since 0.1.0
 */
import { TimeoutPolicy } from "@streamguard/core"
import { Effect, Schema, SchemaTransformation } from "effect"
import { ConfigLoadError } from "./ConfigLoadError.js"
import { PositiveInt } from "./Setting.js"
import type { Upstream } from "./Upstream.js"

/**
 * One rate: at most `requests` per `per` (a fixed window that starts with its first request).
 * `whenStoreDown`: what a replica does while Redis is unreachable: `local` counts the same rate in
 * its own memory (so N replicas may let through up to N times it meanwhile), `refuse` answers 503.
 *
 * @since 0.1.0
 * @category models
 */
export const RateLimit = Schema.Struct({
  requests: PositiveInt,
  per: TimeoutPolicy.Timeout,
  whenStoreDown: Schema.Literals(["local", "refuse"]).pipe(
    Schema.withDecodingDefaultKey(Effect.succeed("local" as const))
  )
})

/**
 * @since 0.1.0
 * @category models
 */
export type RateLimit = typeof RateLimit.Type

/**
 * The `rateLimits` config key: `perKey` applies to each gateway key on its own (with keys
 * configured), `upstreams` to every request the gateway sends to the named upstream.
 *
 * @since 0.1.0
 * @category models
 */
type Limits = { readonly [name: string]: RateLimit }

export const RateLimitsConfig = Schema.Struct({
  perKey: Schema.optional(RateLimit),
  upstreams: Schema.optional(Schema.Record(Schema.String, RateLimit))
}).pipe(
  // The default of `upstreams` is filled in after decoding, not as a decoding default of its key: with
  // one, Effect 4.1.5 reports only the first mistake inside the record.
  Schema.decodeTo(
    Schema.Struct({
      perKey: Schema.optional(Schema.toType(RateLimit)),
      upstreams: Schema.Record(Schema.String, Schema.toType(RateLimit))
    }),
    SchemaTransformation.transform<
      { readonly perKey?: RateLimit | undefined; readonly upstreams: Limits },
      { readonly perKey?: RateLimit | undefined; readonly upstreams?: Limits | undefined }
    >({
      decode: (limits) => ({ ...limits, upstreams: limits.upstreams ?? {} }),
      encode: (limits) => limits
    })
  )
)

/**
 * @since 0.1.0
 * @category models
 */
export type RateLimitsConfig = typeof RateLimitsConfig.Type

/**
 * Fails naming the first rate limit of an upstream that is not configured (a typo would
 * otherwise silently limit nothing). With no upstream configured (the simulator), any name goes.
 *
 * @since 0.1.0
 * @category validation
 */
export const check = (
  limits: RateLimitsConfig,
  upstreams: ReadonlyArray<Upstream>
): Effect.Effect<void, ConfigLoadError> => {
  const unknown = Object.keys(limits.upstreams).find((name) =>
    upstreams.length > 0 && !upstreams.some((upstream) => upstream.name === name)
  )
  return unknown === undefined ? Effect.void : Effect.fail(
    new ConfigLoadError({ key: "rateLimits.upstreams", reason: `no upstream is named "${unknown}"` })
  )
}
