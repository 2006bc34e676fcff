/**
 * The proxied endpoints: `POST /v1/chat/completions`, `POST /v1/responses`, `POST /v1/messages`.
 *
 * @since 0.1.0
 */
import { HttpRouter } from "@effect/platform"
import { Effect } from "effect"
import * as RequestProxy from "../RequestProxy.js"

/**
 * @since 0.1.0
 * @category routes
 */
export const routes = HttpRouter.empty.pipe(
  HttpRouter.post(
    "/v1/chat/completions",
    Effect.flatMap(RequestProxy.RequestProxy, (proxy) => proxy.handle(RequestProxy.chat))
  ),
  HttpRouter.post(
    "/v1/responses",
    Effect.flatMap(RequestProxy.RequestProxy, (proxy) => proxy.handle(RequestProxy.responses))
  ),
  HttpRouter.post(
    "/v1/messages",
    Effect.flatMap(RequestProxy.RequestProxy, (proxy) => proxy.handle(RequestProxy.messages))
  )
)
