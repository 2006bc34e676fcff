/**
 * The proxied endpoints: `POST /v1/chat/completions`, `POST /v1/responses`, `POST /v1/messages`,
 * each under `/v1` at the path its upstream serves it under.
 *
 * @since 0.1.0
 */
import { Effect } from "effect"
import { HttpRouter } from "effect/http"
import * as RequestProxy from "../request/RequestProxy.js"

const proxied = (spec: RequestProxy.EndpointSpec<unknown>) =>
  HttpRouter.route(
    "POST",
    `/v1${spec.path}`,
    Effect.flatMap(RequestProxy.RequestProxy, (proxy) => proxy.handle(spec))
  )

/**
 * @since 0.1.0
 * @category routes
 */
export const routes = [
  proxied(RequestProxy.chat),
  proxied(RequestProxy.responses),
  proxied(RequestProxy.messages)
] as const
