/**
 * `GET /v1/models`: the configured model patterns, the routes' and the upstreams' own, in OpenAI's
 * list shape (a gateway key is required when keys are configured).
 *
 * @since 0.1.0
 */
import { Effect } from "effect"
import { HttpRouter, HttpServerResponse } from "effect/http"
import type * as Route from "../config/Route.js"
import { withKey } from "../request/Auth.js"
import { ModelRouter } from "../request/ModelRouter.js"

// Every route's patterns in the order they are matched (configured routes, then each upstream's
// own), each once, owned by the upstream that serves it first.
const modelsOf = (routes: ReadonlyArray<Route.Route>) => {
  const seen = new Set<string>()
  const models: Array<{ id: string; object: "model"; created: number; owned_by: string }> = []
  for (const route of routes) {
    for (const id of route.models) {
      if (seen.has(id)) continue
      seen.add(id)
      models.push({ id, object: "model", created: 0, owned_by: route.targets[0].upstream.name })
    }
  }
  return models
}

/**
 * @since 0.1.0
 * @category routes
 */
export const routes = [
  HttpRouter.route(
    "GET",
    "/v1/models",
    withKey(Effect.map(ModelRouter, (router) =>
      HttpServerResponse.jsonUnsafe({
        object: "list",
        data: modelsOf(router.routes)
      })))
  )
] as const
