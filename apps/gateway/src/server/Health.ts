/**
 * `GET /healthz` (the process is up), `GET /readyz` (and accepting: 503 while shutting down; its
 * body also says where rate limits are counted: `memory`, `redis`, `memory (redis unreachable)`), both
 * open to all (probes carry no key); `GET /metrics` (Prometheus text, as the OpenTelemetry
 * Prometheus exporter writes it), which needs a gateway key when keys are configured.
 *
 * @since 0.1.0
 */
import { Effect } from "effect"
import { HttpRouter, HttpServerResponse } from "effect/http"
import { Admission } from "../admission/Admission.js"
import { Lifecycle } from "../lifecycle/Lifecycle.js"
import { withKey } from "../request/Auth.js"
import { Telemetry } from "../telemetry/Telemetry.js"

/**
 * @since 0.1.0
 * @category routes
 */
export const routes = [
  HttpRouter.route("GET", "/healthz", HttpServerResponse.jsonUnsafe({ status: "ok" })),
  HttpRouter.route(
    "GET",
    "/readyz",
    Effect.gen(function*() {
      const lifecycle = yield* Lifecycle
      const admission = yield* Admission
      // Where rate limits are counted: a replica that lost Redis keeps serving under its own
      // counts, so it stays ready and says so.
      const rateLimits = yield* admission.rateLimitStore
      return (yield* lifecycle.accepting)
        ? HttpServerResponse.jsonUnsafe({ status: "ready", rateLimits })
        : HttpServerResponse.jsonUnsafe({ status: "shutting_down", rateLimits }, { status: 503 })
    })
  ),
  HttpRouter.route(
    "GET",
    "/metrics",
    withKey(
      Effect.flatMap(Telemetry, (telemetry) =>
        Effect.map(
          telemetry.scrape,
          (text) => HttpServerResponse.text(text, { contentType: "text/plain; version=0.0.4" })
        ))
    )
  )
] as const
