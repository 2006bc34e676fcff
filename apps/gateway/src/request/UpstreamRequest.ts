/**
 * The request the gateway sends upstream for a client's: the client's body as it came, the
 * client's headers the upstream needs (API version, beta flags, the simulator's), and the
 * gateway's own key for that upstream in place of the client's.
 *
 * @since 0.1.0
 */
import { Option, Redacted } from "effect"
import type * as Headers from "effect/http/Headers"
import * as HttpClientRequest from "effect/http/HttpClientRequest"
import type { Endpoint } from "../api/Endpoint.js"
import type { Upstream } from "../config/Upstream.js"

/** Client headers that reach the upstream: the API version and beta flags, and the simulator's. */
const forwarded = (name: string): boolean =>
  name === "anthropic-version" || name === "anthropic-beta" || name === "openai-beta" || name.startsWith("x-sim-")

/**
 * The upstream request for one client request to `endpoint`, posted to `path` under the
 * upstream's `baseUrl`. Anthropic gets `anthropic-version: 2023-06-01` when the client sent
 * none, and its key as `x-api-key`; the OpenAI dialects get `authorization: Bearer`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (
  target: { readonly endpoint: Endpoint; readonly path: string },
  upstream: Upstream,
  key: Option.Option<Redacted.Redacted>,
  clientHeaders: Headers.Headers,
  body: Uint8Array,
  stream: boolean
): HttpClientRequest.HttpClientRequest => {
  const headers: Record<string, string> = {}
  for (const [name, value] of Object.entries(clientHeaders)) {
    if (forwarded(name)) headers[name] = value
  }
  if (target.endpoint === "anthropic" && headers["anthropic-version"] === undefined) {
    headers["anthropic-version"] = "2023-06-01"
  }
  // The client's own key stays here: the upstream gets the gateway's key for it, or none.
  if (Option.isSome(key)) {
    if (target.endpoint === "anthropic") headers["x-api-key"] = Redacted.value(key.value)
    else headers["authorization"] = `Bearer ${Redacted.value(key.value)}`
  }
  headers["accept"] = stream ? "text/event-stream" : "application/json"
  return HttpClientRequest.post(`${upstream.baseUrl.replace(/\/+$/, "")}${target.path}`).pipe(
    HttpClientRequest.setHeaders(headers),
    HttpClientRequest.bodyUint8Array(body, "application/json")
  )
}

/**
 * The client's body with its `model` replaced, for a route step that names the upstream's own
 * model. The rest of the body is kept as it was decoded.
 *
 * @since 0.1.0
 * @category constructors
 */
export const withModel = (body: Uint8Array, model: string): Uint8Array => {
  // The body was parsed and checked as a JSON object before routing: this parse cannot fail.
  const json = JSON.parse(new TextDecoder().decode(body)) as Record<string, unknown>
  return new TextEncoder().encode(JSON.stringify({ ...json, model }))
}
