/**
 * `npm start`: the gateway. With no upstream configured it also starts the simulator on
 * 127.0.0.1:SIM_PORT and routes every `sim:*` model to it, auth off.
 *
 * @since 0.1.0
 */
import { HttpServer } from "@effect/platform"
import { NodeContext, NodeRuntime } from "@effect/platform-node"
import { UpstreamSimulator } from "@streamguard/simulator"
import { Console, Effect, Layer, Logger } from "effect"
import * as Config from "./Config.js"
import * as Gateway from "./Gateway.js"

/** The simulator as the only upstream: every `sim:*` model, every dialect, no key. */
const simulated = (config: Config.GatewayConfigShape) =>
  Effect.gen(function*() {
    const simulator = yield* UpstreamSimulator.make({ port: config.simPort, host: "127.0.0.1" })
    yield* Console.log(`simulator: ${simulator.url} (records at ${simulator.url}/_sim/requests)`)
    return {
      ...config,
      gatewayKeys: [],
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

const announce = (config: Config.GatewayConfigShape) =>
  Layer.effectDiscard(Effect.gen(function*() {
    const server = yield* HttpServer.HttpServer
    const port = server.address._tag === "TcpAddress" ? server.address.port : config.port
    const url = `http://localhost:${port}`
    yield* Console.log(`streamguard gateway: ${url}`)
    if (config.simulated) {
      yield* Console.log(
        `try: curl -N ${url}/v1/chat/completions -H 'content-type: application/json' ` +
          `-d '{"model":"sim:steady","stream":true,"messages":[{"role":"user","content":"hi"}]}'`
      )
    }
  }))

const gateway = Layer.unwrapScoped(Effect.gen(function*() {
  const loaded = yield* Config.load
  const config = loaded.simulated ? yield* simulated(loaded) : loaded
  return Layer.provideMerge(announce(config), Gateway.layerMain(config))
}))

const program = process.argv.includes("--help") || process.argv.includes("-h")
  ? Console.log(Config.helpText())
  : Layer.launch(gateway).pipe(
    Effect.catchTag(
      "ConfigLoadError",
      (error) =>
        Effect.zipRight(
          // One line per mistake, each saying where it comes from.
          Console.error(error.message.split("\n").map((line) => `streamguard gateway: ${line}`).join("\n")),
          Effect.sync(() => {
            process.exitCode = 1
          })
        )
    ),
    Effect.provide(Logger.json),
    Effect.provide(NodeContext.layer)
  )

NodeRuntime.runMain(program, { disablePrettyLogger: true })
