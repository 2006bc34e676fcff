/**
 * `GET /streams`, the live page of the streams in flight, and `GET /streams.json`, its data for
 * the page and for scripts (`?limit=` at most that many rows, the nearest to a limit first, 200
 * unless asked; `?after=` only the ends past that `seq`). With gateway keys configured both need
 * one, checked as `/metrics` checks it (`Auth`): the data answers 401 without it, and the page
 * answers 401 with its key form only (the page itself holds no data, and sends the key as a
 * header).
 *
 * The view is built when asked, from the streams the relay keeps in flight (`InFlight`): nothing
 * is collected on a stream's path.
 *
 * @since 0.1.0
 */
import { Clock, Duration, Effect } from "effect"
import { HttpRouter, HttpServerRequest, HttpServerResponse } from "effect/http"
import { Admission } from "../admission/Admission.js"
import * as ErrorResponse from "../api/ErrorResponse.js"
import { GatewayConfig } from "../config/Config.js"
import { Lifecycle } from "../lifecycle/Lifecycle.js"
import { Relay } from "../relay/Relay.js"
import { Auth, withKey } from "../request/Auth.js"
import * as StreamsPage from "./StreamsPage.js"

const page = (status: number) =>
  HttpServerResponse.text(StreamsPage.html, {
    status,
    contentType: "text/html; charset=utf-8",
    headers: StreamsPage.headers
  })

// The page is the same document with or without a key (it holds no data, and asks for the key
// when it gets 401); only its status tells the browser which. `withKey` answers 401 with a JSON
// error, so the page reads `Auth.check` itself: the same check.
const pageRoute = Effect.flatMap(
  Effect.zip(Effect.service(Auth), Effect.service(HttpServerRequest.HttpServerRequest)),
  ([auth, request]) => Effect.sync(() => page(auth.check(request.headers) ? 200 : 401))
)

/**
 * What a viewer may ask in `/streams.json`'s query: `limit` (at most that many rows) and `after`
 * (only the ends past that `seq`), each a whole number; anything else is refused with the
 * parameter it concerns.
 *
 * @since 0.1.0
 * @category parsing
 */
export const readQuery = (
  params: URLSearchParams
): { readonly limit?: number; readonly after?: number } | { readonly error: string; readonly param: string } => {
  const out: { limit?: number; after?: number } = {}
  for (const [param, value] of params) {
    if (param !== "limit" && param !== "after") return { error: `unknown query parameter ${param}`, param }
    if (!/^\d{1,9}$/.test(value)) {
      return { error: `${param} must be a whole number, not ${JSON.stringify(value)}`, param }
    }
    out[param] = Number(value)
  }
  return out
}

const view = Effect.gen(function*() {
  const request = yield* HttpServerRequest.HttpServerRequest
  const query = readQuery(new URL(request.url, "http://gateway").searchParams)
  if ("error" in query) {
    return ErrorResponse.toResponse("openaiChat", ErrorResponse.badRequest(query.error, query.param))
  }
  const relay = yield* Relay
  const lifecycle = yield* Lifecycle
  const admission = yield* Admission
  const config = yield* GatewayConfig
  const built = relay.inFlight.view({
    now: yield* Clock.currentTimeMillis,
    shutdownAt: yield* lifecycle.shutdownAt,
    drainTimeout: Duration.toMillis(config.drainTimeout),
    slots: yield* admission.slots,
    ...query
  })
  return HttpServerResponse.jsonUnsafe(built, { headers: { "cache-control": "no-store" } })
})

/**
 * @since 0.1.0
 * @category routes
 */
export const routes = [
  HttpRouter.route("GET", "/streams", pageRoute),
  HttpRouter.route("GET", "/streams.json", withKey(view))
] as const
