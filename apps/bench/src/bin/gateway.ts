/**
 * apps/gateway in a process of its own, with the simulator (`--upstream URL`) as its only
 * upstream, on a free loopback port announced to the runner over IPC. Everything else is the
 * gateway's default config, JSON logs included (to /dev/null: the runner ignores stdout).
 *
 * @since 0.1.0
 */
import { HttpServer } from "@effect/platform"
import { NodeContext, NodeRuntime } from "@effect/platform-node"
import { Config, Gateway } from "@streamguard/gateway"
import { Effect, Layer, Logger } from "effect"
import { parseArgs } from "node:util"

// node:util parseArgs: no CLI library is installed, and one flag does not justify one.
const upstream = parseArgs({ options: { upstream: { type: "string" } } }).values.upstream ?? "http://127.0.0.1:8787"

const config: Config.GatewayConfigShape = {
  ...Config.defaults,
  port: 0,
  host: "127.0.0.1",
  simulated: false,
  upstreams: [Config.Upstream.make({ name: "simulator", baseUrl: `${upstream}/v1`, dialect: "any", models: ["sim:*"] })]
}

const announce = Layer.effectDiscard(Effect.gen(function*() {
  const server = yield* HttpServer.HttpServer
  const port = server.address._tag === "TcpAddress" ? server.address.port : 0
  process.send?.({ url: `http://127.0.0.1:${port}` })
}))

// The runner going away (or ending the bench) is the end: no drain to wait for.
process.once("disconnect", () => process.exit(0))

const program = Layer.launch(Layer.provideMerge(announce, Gateway.layer(config))).pipe(
  Effect.provide(Logger.json),
  Effect.provide(NodeContext.layer)
)

NodeRuntime.runMain(program, { disablePrettyLogger: true })
