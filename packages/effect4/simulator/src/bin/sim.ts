#!/usr/bin/env node
/**
 * The simulator as a program: `npm run sim -- --port 8787` at the repository's root, or
 * `npm run sim --workspace=@streamguard/simulator -- --port 8787`. Ctrl-C closes every connection.
 *
 * Flags are read with `node:util` `parseArgs`: two flags and a one-line usage need no command
 * parser, and the program starts without loading one.
 *
 * @since 0.1.0
 */
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import { parseArgs } from "node:util"
import * as ScenarioSpec from "../ScenarioSpec.js"
import * as UpstreamSimulator from "../UpstreamSimulator.js"

const Port = Schema.NumberFromString.pipe(
  Schema.decodeTo(Schema.Int.check(Schema.isBetween({ minimum: 0, maximum: 65535 })))
)

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
  const port = Schema.decodeUnknownOption(Port)(args.port)
  if (Option.isNone(port)) return yield* Effect.fail(`--port must be a port number, got ${args.port}\n${usage}`)

  const sim = yield* UpstreamSimulator.make({ port: port.value, host: args.host }).pipe(
    // The server's error wraps Node's, which says why (`listen EADDRINUSE: address already in use ...`).
    Effect.mapError((error) => `cannot listen on ${args.host}:${port.value}: ${messageOf(error.cause)}`)
  )
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

const messageOf = (cause: unknown): string => cause instanceof Error ? cause.message : String(cause)

NodeRuntime.runMain(program, { disableErrorReporting: true })
