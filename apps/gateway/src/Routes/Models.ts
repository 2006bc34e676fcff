/**
 * `GET /v1/models`: the configured model patterns, in OpenAI's list shape (a gateway key is
 * required when keys are configured).
 *
 * @since 0.1.0
 */
import { HttpRouter, HttpServerResponse } from "@effect/platform"
import { Effect } from "effect"
import { withKey } from "../Auth.js"
import { Routing } from "../Routing.js"

/**
 * @since 0.1.0
 * @category routes
 */
export const routes = HttpRouter.empty.pipe(
  HttpRouter.get(
    "/v1/models",
    withKey(Effect.map(Routing, (routing) =>
      HttpServerResponse.unsafeJson({
        object: "list",
        data: routing.upstreams.flatMap((upstream) =>
          upstream.models.map((id) => ({ id, object: "model", created: 0, owned_by: upstream.name }))
        )
      })))
  )
)
