/**
 * A gateway on a random loopback port in front of a fresh simulator, for one test's scope.
 */
import { HttpServer } from "@effect/platform"
import { Config, Gateway } from "@streamguard/gateway"
import { UpstreamSimulator } from "@streamguard/simulator"
import { Context, Duration, Effect, Layer, Logger, LogLevel, Schedule } from "effect"
import type { Scope } from "effect"

export interface Started {
  readonly url: string
  readonly simulator: UpstreamSimulator.Service
  /** The log lines' annotations (with their message array as `_message`, their time as `_date`), oldest first. */
  readonly logs: Effect.Effect<ReadonlyArray<Record<string, unknown>>>
}

export const start = (
  overrides: Partial<Config.GatewayConfigShape> = {},
  options: { readonly upstreamName?: string } = {}
): Effect.Effect<Started, unknown, Scope.Scope> =>
  Effect.gen(function*() {
    const simulator = yield* UpstreamSimulator.make()
    const lines: Array<Record<string, unknown>> = []
    const capture = Logger.make(({ annotations, date, message }) => {
      const record: Record<string, unknown> = { _message: message, _date: date.getTime() }
      for (const [key, value] of annotations) record[key] = value
      lines.push(record)
    })
    const config: Config.GatewayConfigShape = {
      ...Config.defaults,
      port: 0,
      host: "127.0.0.1",
      keepaliveInterval: Duration.seconds(15),
      upstreams: [
        Config.Upstream.make({
          name: options.upstreamName ?? "sim",
          baseUrl: `${simulator.url}/v1`,
          dialect: "any",
          models: ["sim:*"]
        })
      ],
      simulated: false,
      ...overrides
    }
    const context = yield* Layer.build(
      Gateway.layer(config).pipe(
        Layer.provide(Logger.replace(Logger.defaultLogger, capture)),
        Layer.provide(Logger.minimumLogLevel(LogLevel.Debug))
      )
    )
    const server = Context.get(context, HttpServer.HttpServer)
    const port = server.address._tag === "TcpAddress" ? server.address.port : 0
    return { url: `http://127.0.0.1:${port}`, simulator, logs: Effect.sync(() => [...lines]) }
  })

/** The first "stream ended" line, waiting a bounded moment for it: it is written as the upstream closes. */
export const streamEnd = (started: Started) =>
  started.logs.pipe(
    Effect.map((logs) => logs.find((log) => log["outcome"] !== undefined)),
    Effect.flatMap((line) => line === undefined ? Effect.fail("no stream end logged yet") : Effect.succeed(line)),
    Effect.retry({ times: 40, schedule: Schedule.spaced("25 millis") }),
    Effect.orDie
  )
