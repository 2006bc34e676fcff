/**
 * Model routing: a request's `model` picks its upstream, by the upstreams' model patterns, in
 * config order.
 *
 * @since 0.1.0
 */
import { Effect, Option } from "effect"
import { GatewayConfig } from "./Config.js"
import type { Endpoint } from "./ErrorResponse.js"
import type { Upstream, UpstreamDialect } from "./Upstream.js"

const escape = (text: string): string => text.replace(/[.+?^${}()|[\]\\]/g, "\\$&")

/**
 * A model pattern as a regular expression: `*` matches any run of characters, all else is literal.
 *
 * @since 0.1.0
 * @category constructors
 */
export const patternToRegExp = (pattern: string): RegExp => new RegExp(`^${pattern.split("*").map(escape).join(".*")}$`)

/**
 * Whether an upstream of this dialect serves the endpoint.
 *
 * @since 0.1.0
 * @category predicates
 */
export const serves = (dialect: UpstreamDialect, endpoint: Endpoint): boolean => {
  switch (dialect) {
    case "any":
      return true
    case "openai":
      return endpoint === "openaiChat" || endpoint === "openaiResponses"
    default:
      return dialect === endpoint
  }
}

/**
 * Picks the upstream for a model.
 *
 * @since 0.1.0
 * @category services
 */
export class Routing extends Effect.Service<Routing>()("gateway/Routing", {
  effect: Effect.gen(function*() {
    const config = yield* GatewayConfig
    const table = config.upstreams.map((upstream) => ({
      upstream,
      patterns: upstream.models.map(patternToRegExp)
    }))
    /** The first upstream whose patterns match the model and that serves the endpoint. */
    const route = (model: string, endpoint: Endpoint): Option.Option<Upstream> =>
      Option.fromNullable(
        table.find((entry) =>
          serves(entry.upstream.dialect, endpoint) && entry.patterns.some((pattern) => pattern.test(model))
        )?.upstream
      )
    return { route, upstreams: config.upstreams } as const
  })
}) {}
