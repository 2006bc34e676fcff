/**
 * Model routing: a request's `model` picks its route, by the config's `routes` in order, then by
 * the upstreams' own model patterns (each a route of one), in config order.
 *
 * @since 0.1.0
 */
import { Context, Effect, Layer, Option } from "effect"
import type { Endpoint } from "../api/Endpoint.js"
import { GatewayConfig } from "../config/Config.js"
import * as Route from "../config/Route.js"
import type { UpstreamDialect } from "../config/Upstream.js"

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
 * Picks the route for a model.
 *
 * @since 0.1.0
 * @category services
 */
export class ModelRouter extends Context.Service<ModelRouter>()("gateway/ModelRouter", {
  make: Effect.gen(function*() {
    const config = yield* GatewayConfig
    // `Config.load` refused bad routes at start-up, naming them; a config built by hand is trusted.
    const configured = yield* Effect.orDie(Route.resolve(config.routes, config.upstreams))
    const routes = [...configured, ...config.upstreams.map(Route.single)]
    const table = routes.map((route) => ({ route, patterns: route.models.map(patternToRegExp) }))
    /** The first route whose patterns match the model and whose upstreams serve the endpoint. */
    const route = (model: string, endpoint: Endpoint): Option.Option<Route.Route> =>
      Option.fromUndefinedOr(
        table.find((entry) =>
          serves(entry.route.targets[0].upstream.dialect, endpoint) &&
          entry.patterns.some((pattern) => pattern.test(model))
        )?.route
      )
    return { route, routes, upstreams: config.upstreams } as const
  })
}) {
  /**
   * The router of the gateway's config.
   *
   * @since 0.1.0
   */
  static readonly layer: Layer.Layer<ModelRouter, never, GatewayConfig> = Layer.effect(ModelRouter, ModelRouter.make)
}
