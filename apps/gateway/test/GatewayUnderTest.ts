/**
 * A gateway on a random loopback port in front of a fresh simulator, for one test's scope.
 */
import { Config, Gateway } from "@streamguard/gateway"
import { UpstreamSimulator } from "@streamguard/simulator"
import { Context, Duration, Effect, Layer, Logger, References } from "effect"
import type { Scope } from "effect"
import { HttpServer } from "effect/http"
import * as Http from "node:http"

export interface Started {
  readonly url: string
  readonly simulator: UpstreamSimulator.Service
  /** The log lines' annotations (with their message array as `_message`, their time as `_date`), oldest first. */
  readonly logs: Effect.Effect<ReadonlyArray<Record<string, unknown>>>
  /**
   * The first log line that `matches`, as soon as it is written (it may be already), failing after
   * `within` of real time.
   */
  readonly awaitLog: (
    matches: (line: Record<string, unknown>) => boolean,
    within?: Duration.Input
  ) => Effect.Effect<Record<string, unknown>>
}

/** The port a server listens on (0 for a Unix socket, which the gateway never binds). */
export const serverPort = (server: HttpServer.HttpServer["Service"]): number =>
  server.address._tag === "UnixPathAddress" ? 0 : server.address.port

export const start = (
  overrides: Partial<Config.GatewayConfigShape> = {},
  options: {
    readonly upstreamName?: string
    /** Upstreams after the simulator's (which serves `sim:*`). */
    readonly moreUpstreams?: ReadonlyArray<Config.Upstream>
  } = {}
): Effect.Effect<Started, unknown, Scope.Scope> =>
  Effect.gen(function*() {
    const simulator = yield* UpstreamSimulator.make()
    const lines: Array<Record<string, unknown>> = []
    const waiters = new Set<
      {
        readonly matches: (line: Record<string, unknown>) => boolean
        readonly resume: (line: Record<string, unknown>) => void
      }
    >()
    const capture = Logger.make(({ date, fiber, message }) => {
      const record: Record<string, unknown> = { _message: message, _date: date.getTime() }
      for (const [key, value] of Object.entries(fiber.getRef(References.CurrentLogAnnotations))) record[key] = value
      lines.push(record)
      for (const waiter of waiters) {
        if (waiter.matches(record)) {
          waiters.delete(waiter)
          waiter.resume(record)
        }
      }
    })
    const awaitLog = (
      matches: (line: Record<string, unknown>) => boolean,
      within: Duration.Input = "3 seconds"
    ) =>
      Effect.callback<Record<string, unknown>>((resume) => {
        const seen = lines.find(matches)
        if (seen !== undefined) return resume(Effect.succeed(seen))
        const waiter = { matches, resume: (line: Record<string, unknown>) => resume(Effect.succeed(line)) }
        waiters.add(waiter)
        return Effect.sync(() => waiters.delete(waiter))
      }).pipe(
        Effect.timeoutOrElse({ duration: within, orElse: () => Effect.die("no such log line was written in time") })
      )
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
        }),
        ...(options.moreUpstreams ?? [])
      ],
      simulated: false,
      ...overrides
    }
    const context = yield* Layer.build(
      Gateway.layer(config).pipe(
        Layer.provide(Logger.layer([capture])),
        Layer.provide(Layer.succeed(References.MinimumLogLevel, "Debug"))
      )
    )
    const port = serverPort(Context.get(context, HttpServer.HttpServer))
    return { url: `http://127.0.0.1:${port}`, simulator, logs: Effect.sync(() => [...lines]), awaitLog }
  })

/** Whether a log line is a request's end line (streamed or not). */
export const isEnd = (line: Record<string, unknown>): boolean => line["outcome"] !== undefined

/** The first request-end line, as soon as it is written: after the upstream closed. */
export const streamEnd = (started: Started) => started.awaitLog(isEnd)

/** The end line of the request with this `x-request-id`. */
export const requestEnd = (started: Started, requestId: string) =>
  started.awaitLog((line) => isEnd(line) && line["requestId"] === requestId)

/**
 * The gateway's in-flight gauge, read from `/metrics` on a connection of its own that closes with
 * the answer, so the read leaves no socket behind.
 */
export const inFlight = (started: Started) =>
  Effect.callback<string>((resume) => {
    const request = Http.get(`${started.url}/metrics`, { agent: false }, (response) => {
      let text = ""
      response.setEncoding("utf8")
      response.on("data", (piece: string) => text += piece)
      response.on("end", () => resume(Effect.succeed(text)))
    })
    request.on("error", (error) => resume(Effect.die(error)))
    return Effect.sync(() => request.destroy())
  }).pipe(
    Effect.map((text) => {
      const line = text.split("\n").find((l) => l.startsWith("streamguard_gateway_streams_in_flight "))
      return line === undefined ? 0 : Number(line.slice(line.lastIndexOf(" ") + 1))
    })
  )
