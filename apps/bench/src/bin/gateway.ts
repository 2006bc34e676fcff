/**
 * apps/gateway in a process of its own, with the simulator (`--upstream URL`) as its only
 * upstream, on a free loopback port announced to the runner over IPC. Everything else is the
 * gateway's default config, JSON logs included (the runner drops them, or reads them for `EMFILE`),
 * but for its gateway keys (`GatewayKey`: none unless the bench runs with
 * `STREAMGUARD_GATEWAY_KEYS`), for `--max-concurrent-streams N` where a scenario holds more streams open than the default admits, and
 * `--chat-chunk-timeout D` (the chat profile's `chunk` limit) where it holds silent streams open.
 *
 * Started with `--expose-gc` (a scenario measuring the gateway's memory), it answers the runner's
 * `{ _tag: "Collect" }` after full collections with `{ _tag: "Collected", heapUsedBytes }`, so
 * memory readings compare live data, as the workers' own memory readings do.
 *
 * @since 0.1.0
 */
import { NodeRuntime, NodeServices } from "@effect/platform-node"
import { Config, Gateway } from "@streamguard/gateway"
import { Effect, Layer, Logger, Redacted } from "effect"
import { HttpServer } from "effect/http"
import { parseArgs } from "node:util"
import * as CollectOnRequest from "../CollectOnRequest.js"
import * as GatewayKey from "../GatewayKey.js"

// node:util parseArgs: no CLI library is installed, and three flags do not justify one.
const flags = parseArgs({
  options: {
    upstream: { type: "string" },
    "max-concurrent-streams": { type: "string" },
    "chat-chunk-timeout": { type: "string" }
  }
}).values
// As an operator sets it: the chat profile's idle limit from the environment, read when the
// gateway resolves its profiles.
if (flags["chat-chunk-timeout"] !== undefined) {
  process.env["STREAMGUARD_CHAT_CHUNK_TIMEOUT"] = flags["chat-chunk-timeout"]
}
const upstream = flags.upstream ?? "http://127.0.0.1:8787"
const maxConcurrentStreams = flags["max-concurrent-streams"] === undefined
  ? Config.defaults.maxConcurrentStreams
  : Number(flags["max-concurrent-streams"])

const config: Config.GatewayConfigShape = {
  ...Config.defaults,
  port: 0,
  host: "127.0.0.1",
  simulated: false,
  maxConcurrentStreams,
  gatewayKeys: GatewayKey.keys.map((key) => Redacted.make(key)),
  upstreams: [Config.Upstream.make({ name: "simulator", baseUrl: `${upstream}/v1`, dialect: "any", models: ["sim:*"] })]
}

const announce = Layer.effectDiscard(Effect.gen(function*() {
  const server = yield* HttpServer.HttpServer
  const port = "port" in server.address ? server.address.port : 0
  process.send?.({ url: `http://127.0.0.1:${port}` })
}))

// The runner going away (or ending the bench) is the end: no drain to wait for.
process.once("disconnect", () => process.exit(0))

CollectOnRequest.install()

const program = Layer.launch(Layer.provideMerge(announce, Gateway.layer(config))).pipe(
  Effect.provide(Logger.layer([Logger.consoleJson])),
  Effect.provide(NodeServices.layer)
)

NodeRuntime.runMain(program)
