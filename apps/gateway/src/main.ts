/**
 * `npm start`: the gateway. With no upstream configured it also starts the simulator on
 * 127.0.0.1:SIM_PORT and routes every `sim:*` model to it (gateway keys, when set, still apply).
 *
 * @since 0.1.0
 */
import { NodeRuntime, NodeServices } from "@effect/platform-node"
import { UpstreamSimulator } from "@streamguard/simulator"
import { Cause, Console, Effect, Exit, Layer, Logger } from "effect"
import { HttpServer } from "effect/http"
import { NetAddress } from "effect/net"
import * as Config from "./config/Config.js"
import * as Gateway from "./Gateway.js"

/**
 * The simulator as the only upstream: every `sim:*` model, every dialect, no upstream key. The
 * gateway keys, when set, are still required: keys given are never dropped.
 */
const simulated = (config: Config.GatewayConfigShape) =>
  Effect.gen(function*() {
    const simulator = yield* UpstreamSimulator.make({ port: config.simPort, host: "127.0.0.1" })
    yield* Console.log(`simulator: ${simulator.url} (records at ${simulator.url}/_sim/requests)`)
    return {
      ...config,
      upstreams: [
        Config.Upstream.make({
          name: "simulator",
          baseUrl: `${simulator.url}/v1`,
          dialect: "any",
          models: ["sim:*"]
        })
      ]
    } satisfies Config.GatewayConfigShape
  })

/** A host as a URL writes it: an IPv6 address in brackets. */
const urlHost = (host: string) => host.includes(":") ? `[${host}]` : host

/**
 * The address actually bound, and whether other hosts can reach it: `0.0.0.0` (every interface)
 * is printed as such, with the local URL to try beside it.
 */
const announce = (config: Config.GatewayConfigShape) =>
  Layer.effectDiscard(Effect.gen(function*() {
    const server = yield* HttpServer.HttpServer
    const address = server.address
    const bound = address._tag === "UnixPathAddress"
      ? { hostname: config.host, port: config.port }
      : { hostname: NetAddress.formatHost(address), port: address.port }
    const everywhere = bound.hostname === "0.0.0.0" || bound.hostname === "::"
    const url = `http://${urlHost(bound.hostname)}:${bound.port}`
    const local = everywhere ? `http://localhost:${bound.port}` : url
    yield* Console.log(
      `streamguard gateway: ${url}${everywhere ? ` (every interface: other hosts can reach it; here: ${local})` : ""}`
    )
    const auth = config.gatewayKeys.length > 0
    yield* Console.log(
      auth ? "gateway keys: required on every endpoint but /healthz and /readyz" : "gateway keys: none, auth off"
    )
    if (config.simulated) {
      yield* Console.log(
        `try: curl -N ${local}/v1/chat/completions -H 'content-type: application/json' ` +
          (auth ? `-H 'authorization: Bearer <a gateway key>' ` : "") +
          `-d '{"model":"sim:steady","stream":true,"messages":[{"role":"user","content":"hi"}]}'`
      )
    }
  }))

const gateway = Layer.unwrap(Effect.gen(function*() {
  const loaded = yield* Config.load
  const config = loaded.simulated ? yield* simulated(loaded) : loaded
  return Layer.provideMerge(announce(config), Gateway.layerMain(config))
}))

/**
 * One JSON line per log entry, as the gateway has always written them (`logLevel`, where Effect 4's
 * own JSON logger writes `level`): log pipelines parse these lines.
 */
const jsonLines = Logger.withConsoleLog(
  Logger.map(
    Logger.formatStructured,
    ({ level, message, ...rest }) => JSON.stringify({ message, logLevel: level, ...rest })
  )
)

const program = process.argv.includes("--help") || process.argv.includes("-h")
  ? Console.log(Config.helpText())
  : Layer.launch(gateway).pipe(
    Effect.catchTag(
      "ConfigLoadError",
      (error) =>
        Effect.andThen(
          // One line per mistake, each saying where it comes from.
          Console.error(error.message.split("\n").map((line) => `streamguard gateway: ${line}`).join("\n")),
          Effect.sync(() => {
            process.exitCode = 1
          })
        )
    ),
    Effect.provide(Logger.layer([jsonLines])),
    Effect.provide(NodeServices.layer)
  )

NodeRuntime.runMain(program, {
  // A stop signal interrupts the main fiber, whose scope drains: a clean stop, so exit 0 (the
  // default is 130, as for a program cut short).
  teardown: (exit, onExit) => onExit(Exit.isFailure(exit) && !Cause.hasInterruptsOnly(exit.cause) ? 1 : 0)
})
