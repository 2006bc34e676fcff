/**
 * The simulator as a program: `npm run sim -- --port 8787` at the repository's root, or
 * `npm run sim --workspace=@streamguard/simulator -- --port 8787`. Ctrl-C closes every connection.
 *
 * Flags are read with `node:util` `parseArgs`: @effect/cli is not installed, and two flags do
 * not justify a dependency.
 *
 * @since 0.1.0
 */
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Schema from "effect/Schema"
import { parseArgs } from "node:util"
import * as ScenarioSpec from "../ScenarioSpec.js"
import * as UpstreamSimulator from "../UpstreamSimulator.js"

const Port = Schema.compose(Schema.NumberFromString, Schema.Int.pipe(Schema.between(0, 65535)))

const usage = "usage: sim [--port 8787] [--host 127.0.0.1]"

const program = Effect.gen(function*() {
  const args = yield* Effect.try({
    try: () =>
      parseArgs({
        args: process.argv.slice(2),
        options: {
          port: { type: "string", short: "p", default: "8787" },
          host: { type: "string", default: "127.0.0.1" },
          help: { type: "boolean", short: "h", default: false }
        }
      }).values,
    catch: (cause) => `${String(cause)}\n${usage}`
  })
  if (args.help) return yield* Console.log(usage)
  const port = Schema.decodeEither(Port)(args.port)
  if (Either.isLeft(port)) return yield* Effect.fail(`--port must be a port number, got ${args.port}\n${usage}`)

  const sim = yield* UpstreamSimulator.make({ port: port.right, host: args.host })
  yield* Console.log(`StreamGuard upstream simulator on ${sim.url}
  OpenAI Chat   POST ${sim.url}/v1/chat/completions
  Responses     POST ${sim.url}/v1/responses
  Anthropic     POST ${sim.url}/v1/messages
  Ollama        POST ${sim.url}/api/chat
  MCP           POST ${sim.url}/mcp
  Records       GET  ${sim.url}/_sim/requests
Scenarios (model "sim:<name>?param=value" or header x-sim-scenario): ${ScenarioSpec.names.join(", ")}
Try:
  curl -N ${sim.url}/v1/chat/completions -H 'content-type: application/json' \\
    -d '{"model":"sim:steady?chunks=40&gap=150ms","stream":true,"messages":[{"role":"user","content":"hi"}]}'`)
  return yield* Effect.never
}).pipe(
  Effect.scoped,
  Effect.tapError((message) => Console.error(message))
)

NodeRuntime.runMain(program, { disableErrorReporting: true })
