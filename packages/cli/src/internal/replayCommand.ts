/**
 * `streamguard replay <transcript>`: a recorded stream through the client and guard, with the same
 * timeline, summary and limits as a probe.
 */
import * as Argument from "effect/cli/Argument"
import * as Command from "effect/cli/Command"
import * as Effect from "effect/Effect"
import * as FileSystem from "effect/FileSystem"
import { CliError } from "../CliError.js"
import { Output, withoutColor } from "../Output.js"
import * as Recommendation from "../Recommendation.js"
import * as Replay from "../Replay.js"
import * as Summary from "../Summary.js"
import * as TextReport from "../TextReport.js"
import * as LiveView from "./liveView.js"
import * as options from "./options.js"
import * as Report from "./report.js"

const config = {
  transcript: Argument.File("transcript-file", { mustExist: true }).pipe(
    Argument.withDescription("a recorded response body, e.g. fixtures/transcripts/anthropic/text-with-ping.txt")
  ),
  dialect: options.dialect,
  gap: options.wait("gap", "0ms", "the wait before each event"),
  margin: options.margin,
  profile: options.profile,
  json: options.json,
  noColor: options.noColor
}

const run = (args: Command.Command.Config.Infer<typeof config>) =>
  Effect.gen(function*() {
    const output = yield* Output
    const fs = yield* FileSystem.FileSystem
    const transcript = yield* Effect.mapError(fs.readFile(args.transcript), (e) => new CliError({ message: e.message }))
    const result = yield* Replay.run(
      { transcript, dialect: args.dialect, gap: args.gap },
      LiveView.make(output, 1, args.json)
    )
    if (!args.json) yield* LiveView.finish(output)
    const summary = Summary.summarize([result])
    const recommendation = Recommendation.recommend(summary, { margin: args.margin })
    if (args.json) return yield* output.line(Report.json([result], summary, recommendation, args.profile))
    yield* output.line("")
    for (const line of TextReport.summary(output, summary)) yield* output.line(line)
    yield* output.line("")
    for (const line of TextReport.recommendation(output, recommendation, args.profile)) yield* output.line(line)
  })

export const command = Command.make(
  "replay",
  config,
  (args) => args.noColor ? withoutColor(run(args)) : run(args)
).pipe(
  Command.withDescription("Replay a recorded stream through the client and guard: its timeline, summary and limits.")
)
