/**
 * The gateway's metrics and traces on OpenTelemetry. `/metrics` is every Effect metric of the
 * process (core's stream metrics and the gateway's own), bridged by `@effect/opentelemetry` to the
 * OpenTelemetry Prometheus exporter, which writes the text. Traces are off unless an OTLP endpoint
 * is configured: then each proxied request is one span, sent over OTLP/HTTP in batches. With no
 * endpoint there is no tracer, no span processor and no exporter, so a request costs nothing more.
 *
 * No Effect tracer is installed: the spans are the gateway's own (`RequestSpan`), which hold no
 * upstream address, where the HTTP client's spans would.
 *
 * @since 0.1.0
 */
import { OtelMetrics, Resource } from "@effect/opentelemetry"
import type { Tracer } from "@opentelemetry/api"
import { PrometheusExporter, PrometheusSerializer } from "@opentelemetry/exporter-prometheus"
import { OTLPTraceExporter } from "@opentelemetry/exporter-trace-otlp-http"
import type { SpanProcessor } from "@opentelemetry/sdk-trace-base"
import { BasicTracerProvider, BatchSpanProcessor } from "@opentelemetry/sdk-trace-base"
import { Config, ConfigProvider, Context, Data, Effect, Layer, Option } from "effect"
import { ConfigLoadError } from "../config/ConfigLoadError.js"
import type * as StreamLog from "../relay/StreamLog.js"
import { StreamLog as StreamLogService } from "../relay/StreamLog.js"
import * as Metrics from "./Metrics.js"
import * as RequestSpan from "./RequestSpan.js"

/**
 * @since 0.1.0
 * @category models
 */
export interface Service {
  /** Every metric of the process in the Prometheus text format (0.0.4), each series once. */
  readonly scrape: Effect.Effect<string>
  /** The tracer of the request spans; none when traces are off. */
  readonly tracer: Option.Option<Tracer>
}

/**
 * @since 0.1.0
 * @category tags
 */
export class Telemetry extends Context.Service<Telemetry, Service>()("gateway/Telemetry") {}

/**
 * What the environment asks of telemetry.
 *
 * @since 0.1.0
 * @category models
 */
export interface Settings {
  /** The `service.name` of every span and of `target_info`. */
  readonly serviceName: string
  /** The OTLP/HTTP traces URL spans are sent to; none: traces are off. */
  readonly tracesUrl: Option.Option<string>
}

/**
 * The service name when `OTEL_SERVICE_NAME` is not set.
 *
 * @since 0.1.0
 * @category constants
 */
export const defaultServiceName = "streamguard-gateway"

/** An OpenTelemetry variable that should hold an http(s) URL and does not. */
class InvalidUrl extends Data.TaggedError("gateway/Telemetry/InvalidUrl")<{
  readonly key: string
  readonly value: string
}> {
  override get message(): string {
    return `expected an http(s) URL, got ${JSON.stringify(this.value)}`
  }
}

const url = (name: string): Config.Config<Option.Option<string>> =>
  Config.option(Config.String(name)).pipe(
    Config.mapEffect((value) => {
      if (Option.isNone(value) || (/^https?:\/\//i.test(value.value) && URL.canParse(value.value))) {
        return Effect.succeed(value)
      }
      const invalid = new InvalidUrl({ key: name, value: value.value })
      return Effect.fail(
        new Config.ConfigError(
          new ConfigProvider.SourceError({ message: `${name}: ${invalid.message}`, cause: invalid })
        )
      )
    })
  )

/**
 * The OpenTelemetry variables the gateway reads, as the OpenTelemetry SDKs read them:
 * `OTEL_SERVICE_NAME`, and `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT` (the traces URL as given) or
 * `OTEL_EXPORTER_OTLP_ENDPOINT` (a base URL, `/v1/traces` appended). Neither set: traces are off.
 *
 * @since 0.1.0
 * @category config
 */
export const settings: Config.Config<Settings> = Config.all({
  serviceName: Config.String("OTEL_SERVICE_NAME").pipe(Config.withDefault(defaultServiceName)),
  traces: url("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"),
  base: url("OTEL_EXPORTER_OTLP_ENDPOINT")
}).pipe(
  Config.map(({ base, serviceName, traces }) => ({
    serviceName,
    tracesUrl: Option.orElse(traces, () => Option.map(base, (endpoint) => `${endpoint.replace(/\/+$/, "")}/v1/traces`))
  }))
)

const makeTracer = (processor: SpanProcessor) =>
  Effect.gen(function*() {
    const resource = yield* Resource.Resource
    const provider = yield* Effect.acquireRelease(
      Effect.sync(() => new BasicTracerProvider({ resource, spanProcessors: [processor] })),
      // Sends the spans still queued; a collector that does not answer does not hold up the exit.
      (provider) => Effect.ignore(Effect.timeout(Effect.tryPromise(() => provider.shutdown()), "3 seconds"))
    )
    return provider.getTracer("@streamguard/gateway")
  })

/**
 * Telemetry for `serviceName`, with traces sent to `spanProcessor` when one is given (tests give an
 * in-memory one).
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (options: {
  readonly serviceName: string
  readonly spanProcessor: Option.Option<SpanProcessor>
}): Layer.Layer<Telemetry> =>
  Layer.effect(
    Telemetry,
    Effect.gen(function*() {
      // Read on each scrape through its collect; it never listens on a port of its own.
      const exporter = new PrometheusExporter({ preventServerStart: true, withoutScopeInfo: true })
      yield* OtelMetrics.registerProducer(yield* OtelMetrics.makeProducer(), () => exporter)
      // As the exporter's own: no prefix, no timestamps, `target_info`, and no `otel_scope_name`
      // label, so each series keeps the labels it had.
      const serializer = new PrometheusSerializer(undefined, false, undefined, false, true)
      const scrape = Effect.flatMap(Effect.promise(() => exporter.collect()), ({ errors, resourceMetrics }) =>
        Effect.as(
          errors.length === 0 ? Effect.void : Effect.logWarning("metrics collection errors", ...errors),
          serializer.serialize(resourceMetrics)
        ))
      const tracer = yield* Option.match(options.spanProcessor, {
        onNone: () => Effect.succeedNone,
        onSome: (processor) => Effect.asSome(makeTracer(processor))
      })
      return Telemetry.of({ scrape, tracer })
    })
  ).pipe(Layer.provide(Resource.layer({ serviceName: options.serviceName })))

/**
 * Telemetry as the environment's `settings` ask: traces sent in batches over OTLP/HTTP when an
 * endpoint is set, none otherwise. A URL that does not parse stops start-up, naming the variable.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerConfig: Layer.Layer<Telemetry, ConfigLoadError> = Layer.unwrap(
  settings.pipe(
    Effect.mapError((error) => {
      const cause = error.cause
      return cause._tag === "SourceError" && cause.cause instanceof InvalidUrl
        ? new ConfigLoadError({ key: cause.cause.key, reason: cause.cause.message })
        : new ConfigLoadError({ key: "OTEL_EXPORTER_OTLP_ENDPOINT", reason: error.message })
    }),
    Effect.map((settings) =>
      layer({
        serviceName: settings.serviceName,
        spanProcessor: Option.map(settings.tracesUrl, (url) => new BatchSpanProcessor(new OTLPTraceExporter({ url })))
      })
    )
  )
)

/**
 * The end log line, with what telemetry keeps of the same end: the GenAI metrics
 * (`Metrics.ended`) and, when traces are on, the request's span (`RequestSpan.end`). Both are
 * recorded before the line is written, so whoever has read the line finds them.
 *
 * @since 0.1.0
 * @category layers
 */
export const streamLog: Layer.Layer<StreamLogService, never, Telemetry> = Layer.effect(
  StreamLogService,
  Effect.gen(function*() {
    const log = yield* StreamLogService
    const telemetry = yield* Telemetry
    const span: (record: StreamLog.Record) => Effect.Effect<void> = Option.match(telemetry.tracer, {
      onNone: () => () => Effect.void,
      onSome: (tracer) => (record) => RequestSpan.end(tracer, record)
    })
    return StreamLogService.of({
      ended: (record) => Effect.andThen(Effect.andThen(Metrics.ended(record), span(record)), log.ended(record))
    })
  })
).pipe(Layer.provide(StreamLogService.layer))
