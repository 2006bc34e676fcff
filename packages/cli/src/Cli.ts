/**
 * The `streamguard` command: `probe`, `replay`, `sim` and `check-config`.
 *
 * @since 0.1.0
 */
import type * as CliApp from "@effect/cli/CliApp"
import * as Command from "@effect/cli/Command"
import type * as ValidationError from "@effect/cli/ValidationError"
import type { LlmClient } from "@streamguard/client-effect3/LlmClient"
import type * as Effect from "effect/Effect"
import type { CliError } from "./CliError.js"
import * as CheckConfigCommand from "./internal/checkConfigCommand.js"
import * as ProbeCommand from "./internal/probeCommand.js"
import * as ReplayCommand from "./internal/replayCommand.js"
import * as SimCommand from "./internal/simCommand.js"
import type { Output } from "./Output.js"

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

/**
 * Runs the command on `argv` as `process.argv` holds it (the node binary and the script first).
 * Fails with `CliError` when a command cannot do its work (already described, for the caller to
 * print), or with a `ValidationError` for bad arguments (printed with the usage by the parser).
 *
 * @since 0.1.0
 * @category running
 */
export const run: (
  argv: ReadonlyArray<string>
) => Effect.Effect<void, CliError | ValidationError.ValidationError, CliApp.CliApp.Environment | Output | LlmClient> =
  Command.run(command, { name: "streamguard", version: "0.1.0" })
