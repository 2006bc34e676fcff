/**
 * `GET /healthz` (the process is up), `GET /readyz` (and accepting: 503 while shutting down), both
 * open to all (probes carry no key); `GET /metrics` (Prometheus text, as the OpenTelemetry
 * Prometheus exporter writes it), which needs a gateway key when keys are configured.
 *
 * @since 0.1.0
 */
import { HttpRouter, HttpServerResponse } from "@effect/platform"
import { Effect } from "effect"
import { withKey } from "../Auth.js"
import { Lifecycle } from "../Lifecycle.js"
import { Telemetry } from "../Telemetry.js"

/**
 * @since 0.1.0
 * @category routes
 */
export const routes = HttpRouter.empty.pipe(
  HttpRouter.get("/healthz", Effect.succeed(HttpServerResponse.unsafeJson({ status: "ok" }))),
  HttpRouter.get(
    "/readyz",
    Effect.flatMap(Lifecycle, (lifecycle) =>
      Effect.map(lifecycle.accepting, (accepting) =>
        accepting
          ? HttpServerResponse.unsafeJson({ status: "ready" })
          : HttpServerResponse.unsafeJson({ status: "shutting_down" }, { status: 503 })))
  ),
  HttpRouter.get(
    "/metrics",
    withKey(
      Effect.flatMap(Telemetry, (telemetry) =>
        Effect.map(
          telemetry.scrape,
          (text) => HttpServerResponse.text(text, { contentType: "text/plain; version=0.0.4" })
        ))
    )
  )
)
