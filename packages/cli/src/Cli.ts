/**
 * The `streamguard` command: `probe`, `replay`, `sim` and `check-config`.
 *
 * @since 0.1.0
 */
import type { LlmClient } from "@streamguard/client/LlmClient"
import type * as CliErrors from "effect/cli/CliError"
import * as CliOutput from "effect/cli/CliOutput"
import * as Command from "effect/cli/Command"
import type * as HelpDoc from "effect/cli/HelpDoc"
import * as Effect from "effect/Effect"
import type { CliError } from "./CliError.js"
import * as CheckConfigCommand from "./internal/checkConfigCommand.js"
import * as ProbeCommand from "./internal/probeCommand.js"
import * as ReplayCommand from "./internal/replayCommand.js"
import * as SimCommand from "./internal/simCommand.js"
import { Output } from "./Output.js"
import type * as OutputService from "./Output.js"

/**
 * The command and its subcommands.
 *
 * @since 0.1.0
 * @category commands
 */
export const command = Command.make("streamguard").pipe(
  Command.withDescription("Probe an LLM provider, see each stream's timeline, and get the timeouts to set."),
  Command.withSubcommands([
    ProbeCommand.command,
    ReplayCommand.command,
    SimCommand.command,
    CheckConfigCommand.command
  ])
)

const version = "0.1.0"

/**
 * The usage line names the flags a command cannot run without (`streamguard probe --dialect choice
 * [flags] <url>`), as it always did: effect/cli's lists them only as `[flags]`, and its table of
 * flags does not say which are required.
 */
const withRequiredFlags = (doc: HelpDoc.HelpDoc): HelpDoc.HelpDoc => {
  const required = doc.flags.filter((flag) => flag.required).map((flag) => ` --${flag.name} ${flag.type}`)
  return required.length === 0 ? doc : { ...doc, usage: doc.usage.replace(" [flags]", `${required.join("")} [flags]`) }
}

/**
 * Help, the version and bad arguments, written through the command's `Output`: help on stdout in
 * colour only where the output has colour, the version as the number alone, and bad arguments as
 * their messages on stderr, without the help (which `--help` prints), as the command always did.
 */
const presenter = (output: OutputService.Service): CliOutput.Presenter => {
  const formatter = CliOutput.defaultFormatter({ colors: output.color })
  return {
    present: (event) => {
      switch (event._tag) {
        case "Help":
          return output.line(formatter.formatHelpDoc(withRequiredFlags(event.helpDoc)))
        case "Version":
          return output.line(event.version)
        case "InvalidInvocation":
          return output.error(event.errors.map((error) => error.message).join("\n"))
      }
    }
  }
}

const runArgs = Command.runWith(command, { version })

/**
 * Runs the command on `argv` as `process.argv` holds it (the node binary and the script first).
 * Fails with `CliError` when a command cannot do its work (already described, for the caller to
 * print), or with effect/cli's `CliError` for bad arguments (printed by the parser, through
 * `Output`), or its `ShowHelp` when no subcommand was named (after the help, exit code 0).
 *
 * @since 0.1.0
 * @category running
 */
export const run = (
  argv: ReadonlyArray<string>
): Effect.Effect<void, CliError | CliErrors.CliError, Command.Environment | Output | LlmClient> =>
  Output.use((output) => Effect.provideService(runArgs(argv.slice(2)), CliOutput.Presenter, presenter(output)))
