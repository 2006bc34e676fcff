/**
 * `streamguard sim`: the upstream simulator, until Ctrl-C (which closes every connection).
 */
import * as ScenarioSpec from "@streamguard/simulator/ScenarioSpec"
import * as UpstreamSimulator from "@streamguard/simulator/UpstreamSimulator"
import * as Command from "effect/cli/Command"
import * as Flag from "effect/cli/Flag"
import * as Effect from "effect/Effect"
import { CliError } from "../CliError.js"
import { Output } from "../Output.js"

const config = {
  port: Flag.Int("port").pipe(Flag.withAlias("p"), Flag.withDefault(8787)),
  host: Flag.String("host").pipe(Flag.withDefault("127.0.0.1"))
}

const banner = (url: string) =>
  `StreamGuard upstream simulator on ${url}
  OpenAI Chat   POST ${url}/v1/chat/completions
  Responses     POST ${url}/v1/responses
  Anthropic     POST ${url}/v1/messages
  Ollama        POST ${url}/api/chat
  MCP           POST ${url}/mcp
  Records       GET  ${url}/_sim/requests
Scenarios (model "sim:<name>?param=value" or header x-sim-scenario): ${ScenarioSpec.names.join(", ")}
Try:
  npx streamguard probe ${url}/v1/chat/completions --dialect openaiChat --model 'sim:think-2s?gap=50ms'`

// The server's error wraps Node's, which says why (`listen EADDRINUSE: address already in use ...`).
const messageOf = (cause: unknown): string => cause instanceof Error ? cause.message : String(cause)

export const command = Command.make("sim", config, (args) =>
  Effect.gen(function*() {
    if (args.port < 0 || args.port > 65535) {
      return yield* new CliError({ message: `--port must be a port number, got ${args.port}` })
    }
    const output = yield* Output
    const sim = yield* Effect.mapError(
      UpstreamSimulator.make({ port: args.port, host: args.host }),
      ({ cause }) => new CliError({ message: `cannot listen on ${args.host}:${args.port}: ${messageOf(cause)}` })
    )
    yield* output.line(banner(sim.url))
    return yield* Effect.never
  }).pipe(Effect.scoped)).pipe(
    Command.withDescription("Run the upstream simulator: any dialect, any fault, on a real socket.")
  )
