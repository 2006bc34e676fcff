import { assert, describe, it } from "@effect/vitest"
import * as Telemetry from "@streamguard/gateway/telemetry/Telemetry"
import { ConfigProvider, Context, Effect, Layer, Option } from "effect"

const env = (entries: Record<string, string>) => ConfigProvider.fromEnv({ env: entries })

/** The telemetry `layerConfig` builds from `entries` as the environment. */
const built = (entries: Record<string, string>) =>
  Layer.build(Telemetry.layerConfig).pipe(
    Effect.map((context) => Context.get(context, Telemetry.Telemetry)),
    Effect.provideService(ConfigProvider.ConfigProvider, env(entries))
  )

describe("Telemetry.settings", () => {
  it.effect("with no OTLP endpoint, traces are off and the service is streamguard-gateway", () =>
    Effect.gen(function*() {
      const settings = yield* Effect.provideService(Telemetry.settings, ConfigProvider.ConfigProvider, env({}))
      assert.strictEqual(settings.serviceName, "streamguard-gateway")
      assert.isTrue(Option.isNone(settings.tracesUrl))
    }))

  it.effect("OTEL_EXPORTER_OTLP_ENDPOINT is a base URL; the traces endpoint and service name override", () =>
    Effect.gen(function*() {
      const base = yield* Effect.provideService(
        Telemetry.settings,
        ConfigProvider.ConfigProvider,
        env({ OTEL_EXPORTER_OTLP_ENDPOINT: "http://collector:4318/" })
      )
      assert.deepStrictEqual(base.tracesUrl, Option.some("http://collector:4318/v1/traces"))
      const specific = yield* Effect.provideService(
        Telemetry.settings,
        ConfigProvider.ConfigProvider,
        env({
          OTEL_EXPORTER_OTLP_ENDPOINT: "http://collector:4318",
          OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: "https://traces.example/otlp",
          OTEL_SERVICE_NAME: "edge-gateway"
        })
      )
      assert.deepStrictEqual(specific.tracesUrl, Option.some("https://traces.example/otlp"))
      assert.strictEqual(specific.serviceName, "edge-gateway")
    }))
})

describe("Telemetry.layerConfig", () => {
  it.effect("builds no tracer (so no span processor or exporter) when OTEL_EXPORTER_OTLP_ENDPOINT is unset", () =>
    Effect.gen(function*() {
      const telemetry = yield* built({})
      assert.isTrue(Option.isNone(telemetry.tracer))
      // Metrics are there all the same.
      assert.include(yield* telemetry.scrape, "target_info")
    }))

  it.effect("builds a tracer when it is set", () =>
    Effect.gen(function*() {
      const telemetry = yield* built({ OTEL_EXPORTER_OTLP_ENDPOINT: "http://127.0.0.1:4318" })
      assert.isTrue(Option.isSome(telemetry.tracer))
    }))

  it.effect("a value that is not an http(s) URL stops start-up, naming the variable", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(built({ OTEL_EXPORTER_OTLP_ENDPOINT: "collector:4318" }))
      assert.strictEqual(error._tag, "ConfigLoadError")
      assert.strictEqual(error.key, "OTEL_EXPORTER_OTLP_ENDPOINT")
    }))
})
