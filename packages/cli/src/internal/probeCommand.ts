/**
 * `streamguard probe <url>`: measure a provider, print the timeline, the summary and the limits to
 * set; `--json` as one document, `--html` as a page.
 */
import * as Argument from "effect/cli/Argument"
import * as Command from "effect/cli/Command"
import * as Flag from "effect/cli/Flag"
import * as Config from "effect/Config"
import * as Effect from "effect/Effect"
import * as FileSystem from "effect/FileSystem"
import * as Option from "effect/Option"
import type * as Redacted from "effect/Redacted"
import { CliError } from "../CliError.js"
import * as HtmlReport from "../HtmlReport.js"
import { Output, withoutColor } from "../Output.js"
import * as Probe from "../Probe.js"
import * as Recommendation from "../Recommendation.js"
import * as Summary from "../Summary.js"
import * as TextReport from "../TextReport.js"
import * as LiveView from "./liveView.js"
import * as options from "./options.js"
import * as Report from "./report.js"

const config = {
  url: Argument.String("url").pipe(
    Argument.withDescription("the streaming endpoint, e.g. http://127.0.0.1:8787/v1/chat/completions")
  ),
  dialect: options.dialect,
  model: Flag.String("model").pipe(
    Flag.withAlias("m"),
    Flag.optional,
    Flag.withDescription("the model (for mcp: the tool to call)")
  ),
  runs: Flag.Int("runs").pipe(Flag.withAlias("n"), Flag.withDefault(5)),
  concurrency: Flag.Int("concurrency").pipe(Flag.withAlias("c"), Flag.withDefault(1)),
  header: Flag.String("header").pipe(
    Flag.atLeast(0),
    // Optional in the help too: a bare `atLeast(0)` is listed as if it were required.
    Flag.withDefault([]),
    Flag.withDescription("an extra request header, name:value (repeatable)")
  ),
  body: Flag.File("body", { mustExist: true }).pipe(
    Flag.optional,
    Flag.withDescription("a JSON file sent as the request body instead of the default one")
  ),
  keyEnv: Flag.String("key-env").pipe(
    Flag.optional,
    Flag.withDescription("the environment variable that holds the API key (never printed)")
  ),
  prompt: Flag.String("prompt").pipe(
    Flag.withDefault("Count from 1 to 30, one number per line."),
    Flag.withDescription("the user message of the default body")
  ),
  stallAfter: options.duration("stall-after", "2m", "silence after which a run counts as stalled"),
  firstContentWithin: options.duration("first-content-within", "10m", "longest wait for the first content"),
  maxDuration: options.duration("max-duration", "30m", "longest run"),
  margin: options.margin,
  profile: options.profile,
  html: Flag.String("html").pipe(Flag.optional, Flag.withDescription("also write an HTML report to this file")),
  json: options.json,
  noColor: options.noColor
}

type Config = Command.Command.Config.Infer<typeof config>

const header = (text: string) =>
  Effect.suspend(() => {
    const at = text.indexOf(":")
    return at <= 0
      ? Effect.fail(new CliError({ message: `--header must be name:value, got ${JSON.stringify(text)}` }))
      : Effect.succeed([text.slice(0, at).trim(), text.slice(at + 1).trim()] as const)
  })

const readBody = (path: string) =>
  Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    const text = yield* Effect.mapError(fs.readFileString(path), (e) => new CliError({ message: e.message }))
    return yield* Effect.try({
      try: () => JSON.parse(text) as unknown,
      catch: () => new CliError({ message: `--body ${path} is not JSON` })
    })
  })

// The key is read as a redacted value and goes only into the request's header.
const readKey = (name: string) =>
  Effect.mapError(
    Config.Redacted(name),
    () => new CliError({ message: `--key-env ${name}: that environment variable is not set` })
  )

const positive = (name: string, value: number) =>
  value >= 1 ? Effect.void : Effect.fail(new CliError({ message: `--${name} must be at least 1, got ${value}` }))

const run = (args: Config) =>
  Effect.gen(function*() {
    yield* positive("runs", args.runs)
    yield* positive("concurrency", args.concurrency)
    const output = yield* Output
    const headers = yield* Effect.forEach(args.header, header)
    const body = yield* Option.match(args.body, { onNone: () => Effect.succeed(undefined), onSome: readBody })
    const key = yield* Option.match(args.keyEnv, {
      onNone: () => Effect.succeed<Redacted.Redacted | undefined>(undefined),
      onSome: readKey
    })
    const view = LiveView.make(output, args.runs, args.json)
    const runs = yield* Probe.run({
      url: args.url,
      dialect: args.dialect,
      model: Option.getOrUndefined(args.model),
      prompt: args.prompt,
      headers,
      body,
      key,
      runs: args.runs,
      concurrency: args.concurrency,
      stallAfter: args.stallAfter,
      firstContentWithin: args.firstContentWithin,
      maxDuration: args.maxDuration
    }, view)
    if (!args.json) yield* LiveView.finish(output)
    const summary = Summary.summarize(runs)
    const recommendation = Recommendation.recommend(summary, { margin: args.margin })
    if (Option.isSome(args.html)) {
      const fs = yield* FileSystem.FileSystem
      const page = HtmlReport.render({
        title: `streamguard probe: ${args.dialect} ${Option.getOrElse(args.model, () => "")}`.trim(),
        runs,
        summary,
        recommendation,
        profile: args.profile
      })
      yield* Effect.mapError(fs.writeFileString(args.html.value, page), (e) => new CliError({ message: e.message }))
    }
    if (args.json) return yield* output.line(Report.json(runs, summary, recommendation, args.profile))
    yield* output.line("")
    for (const line of TextReport.summary(output, summary)) yield* output.line(line)
    yield* output.line("")
    for (const line of TextReport.recommendation(output, recommendation, args.profile)) yield* output.line(line)
    if (Option.isSome(args.html)) yield* output.line(`\nHTML report: ${args.html.value}`)
  })

export const command = Command.make("probe", config, (args) => args.noColor ? withoutColor(run(args)) : run(args)).pipe(
  Command.withDescription(
    "Send N real streaming requests, show each one's timeline, then the summary and the timeouts to set."
  )
)
