/**
 * `streamguard sim`: the upstream simulator, until Ctrl-C (which closes every connection). Its
 * defaults, port rule, banner and words are the simulator program's own (`SimulatorCli`); only the
 * example it ends with is this command's.
 */
import * as SimulatorCli from "@streamguard/kernel/simulator/SimulatorCli"
import * as UpstreamSimulator from "@streamguard/simulator/UpstreamSimulator"
import * as Command from "effect/cli/Command"
import * as Flag from "effect/cli/Flag"
import * as Effect from "effect/Effect"
import { CliError } from "../CliError.js"
import { Output } from "../Output.js"

const config = {
  port: Flag.Int("port").pipe(Flag.withAlias("p"), Flag.withDefault(SimulatorCli.defaults.port)),
  host: Flag.String("host").pipe(Flag.withDefault(SimulatorCli.defaults.host))
}

const example = (url: string) =>
  `  npx streamguard probe ${url}/v1/chat/completions --dialect openaiChat --model 'sim:think-2s?gap=50ms'`

export const command = Command.make("sim", config, (flags) =>
  Effect.gen(function*() {
    if (!SimulatorCli.isPort(flags.port)) {
      return yield* new CliError({ message: SimulatorCli.notAPort(flags.port) })
    }
    const output = yield* Output
    const sim = yield* Effect.mapError(
      UpstreamSimulator.make(flags),
      ({ cause }) => new CliError({ message: SimulatorCli.cannotListen(flags, cause) })
    )
    yield* output.line(SimulatorCli.banner(sim.url, example(sim.url)))
    return yield* Effect.never
  }).pipe(Effect.scoped)).pipe(
    Command.withDescription("Run the upstream simulator: any dialect, any fault, on a real socket.")
  )
