/**
 * `streamguard probe <url>`: measure a provider, print the timeline, the summary and the limits to
 * set; `--json` as one document, `--html` as a page.
 */
import * as Args from "@effect/cli/Args"
import * as Command from "@effect/cli/Command"
import * as Options from "@effect/cli/Options"
import * as FileSystem from "@effect/platform/FileSystem"
import * as Config from "effect/Config"
import * as Effect from "effect/Effect"
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
  url: Args.text({ name: "url" }).pipe(
    Args.withDescription("the streaming endpoint, e.g. http://127.0.0.1:8787/v1/chat/completions")
  ),
  dialect: options.dialect,
  model: Options.text("model").pipe(
    Options.withAlias("m"),
    Options.optional,
    Options.withDescription("the model (for mcp: the tool to call)")
  ),
  runs: Options.integer("runs").pipe(Options.withAlias("n"), Options.withDefault(5)),
  concurrency: Options.integer("concurrency").pipe(Options.withAlias("c"), Options.withDefault(1)),
  header: Options.text("header").pipe(
    Options.repeated,
    // Optional in the usage line too: a bare `repeated` is listed as if it were required.
    Options.withDefault([]),
    Options.withDescription("an extra request header, name:value (repeatable)")
  ),
  body: Options.file("body", { exists: "yes" }).pipe(
    Options.optional,
    Options.withDescription("a JSON file sent as the request body instead of the default one")
  ),
  keyEnv: Options.text("key-env").pipe(
    Options.optional,
    Options.withDescription("the environment variable that holds the API key (never printed)")
  ),
  prompt: Options.text("prompt").pipe(
    Options.withDefault("Count from 1 to 30, one number per line."),
    Options.withDescription("the user message of the default body")
  ),
  stallAfter: options.duration("stall-after", "2m", "silence after which a run counts as stalled"),
  firstContentWithin: options.duration("first-content-within", "10m", "longest wait for the first content"),
  maxDuration: options.duration("max-duration", "30m", "longest run"),
  margin: options.margin,
  profile: options.profile,
  html: Options.text("html").pipe(Options.optional, Options.withDescription("also write an HTML report to this file")),
  json: options.json,
  noColor: options.noColor
}

type Config = Command.Command.ParseConfig<typeof config>

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
    Config.redacted(name),
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
