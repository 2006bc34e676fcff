/**
 * `streamguard check-config [file]`: every profile's effective policy with the env applied, or the
 * error naming the key.
 */
import * as EnvVars from "@streamguard/core/EnvVars"
import * as Argument from "effect/cli/Argument"
import * as Command from "effect/cli/Command"
import * as Effect from "effect/Effect"
import * as CheckConfig from "../CheckConfig.js"
import { CliError } from "../CliError.js"
import { Output, paint, withoutColor } from "../Output.js"
import * as options from "./options.js"

const config = {
  file: Argument.File("file").pipe(
    Argument.optional,
    Argument.withDescription("the JSON config file (default: the file STREAMGUARD_CONFIG names, if any)")
  ),
  json: options.json,
  noColor: options.noColor
}

const run = (args: Command.Command.Config.Infer<typeof config>) =>
  Effect.gen(function*() {
    const output = yield* Output
    const effective = yield* CheckConfig.load(args.file).pipe(
      Effect.mapError((error) =>
        new CliError({
          // One line per mistake, each naming its key (and the file it is in).
          message: error._tag === "InvalidProfileConfig" ? error.message : `bad config: ${error.message}`
        })
      )
    )
    // A misspelt variable changes nothing: say so rather than "environment applied".
    if (effective.unknownEnv.length > 0) {
      return yield* new CliError({
        message: effective.unknownEnv.map((unknown) => new EnvVars.UnknownEnvVar(unknown).message).join("\n")
      })
    }
    if (args.json) return yield* output.line(JSON.stringify(effective, null, 2))
    yield* output.line(
      `${effective.file === undefined ? "No config file" : `Config file ${effective.file}`}, environment applied:`
    )
    const width = Math.max(...effective.profiles.map((p) => p.name.length)) + 2
    for (const profile of effective.profiles) {
      const limits = Object.entries(profile.limits).map(([field, value]) => `${field} ${value}`)
      yield* output.line(
        `  ${paint(output, "bold", profile.name.padEnd(width))}${limits.length === 0 ? "no limits" : limits.join(", ")}`
      )
    }
  })

export const command = Command.make(
  "check-config",
  config,
  (args) => args.noColor ? withoutColor(run(args)) : run(args)
).pipe(
  Command.withDescription(
    "Load the profile config (the file, then STREAMGUARD_<PROFILE>_<FIELD>_TIMEOUT) and print every profile's policy."
  )
)
