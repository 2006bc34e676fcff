/**
 * `streamguard sim`: the upstream simulator, until Ctrl-C (which closes every connection).
 */
import * as Command from "@effect/cli/Command"
import * as Options from "@effect/cli/Options"
import * as ScenarioSpec from "@streamguard/simulator-effect3/ScenarioSpec"
import * as UpstreamSimulator from "@streamguard/simulator-effect3/UpstreamSimulator"
import * as Effect from "effect/Effect"
import { CliError } from "../CliError.js"
import { Output } from "../Output.js"

const config = {
  port: Options.integer("port").pipe(Options.withAlias("p"), Options.withDefault(8787)),
  host: Options.text("host").pipe(Options.withDefault("127.0.0.1"))
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

export const command = Command.make("sim", config, (args) =>
  Effect.gen(function*() {
    if (args.port < 0 || args.port > 65535) {
      return yield* new CliError({ message: `--port must be a port number, got ${args.port}` })
    }
    const output = yield* Output
    const sim = yield* Effect.mapError(
      UpstreamSimulator.make({ port: args.port, host: args.host }),
      (error) => new CliError({ message: `cannot listen on ${args.host}:${args.port}: ${error.message}` })
    )
    yield* output.line(banner(sim.url))
    return yield* Effect.never
  }).pipe(Effect.scoped)).pipe(
    Command.withDescription("Run the upstream simulator: any dialect, any fault, on a real socket.")
  )
