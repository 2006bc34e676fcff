/**
 * The options several commands share, and how their values are read.
 */
import * as HelpDoc from "@effect/cli/HelpDoc"
import * as Options from "@effect/cli/Options"
import * as ValidationError from "@effect/cli/ValidationError"
import * as TimeoutPolicy from "@streamguard/core-effect3/TimeoutPolicy"
import type { DialectName } from "@streamguard/protocols-effect3/Dialect"
import * as Dialects from "@streamguard/protocols-effect3/Dialects"
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"

/** The dialects by their shared names (`sse` takes options, so it is not one of them). */
export const dialectNames = Object.keys(Dialects.byName) as Array<Exclude<DialectName, "sse">>

export const dialect = Options.choice("dialect", dialectNames).pipe(
  Options.withAlias("d"),
  Options.withDescription("how the provider streams: its dialect")
)

export const json = Options.boolean("json").pipe(
  Options.withDescription("write everything as one JSON document on stdout, and nothing else")
)

export const noColor = Options.boolean("no-color").pipe(
  Options.withDescription("no colours (they are off anyway when stdout is not a terminal, or NO_COLOR is set)")
)

export const profile = Options.text("profile").pipe(
  Options.withDefault("chat"),
  Options.withDescription("the profile the recommended limits are written for")
)

export const margin = Options.float("margin").pipe(
  Options.withDefault(2),
  Options.withDescription("each recommended limit is the worst case seen times this")
)

const DurationText: Schema.Schema<Duration.Duration, string> = Schema.compose(
  Schema.String,
  TimeoutPolicy.Timeout,
  { strict: false }
)

/** A duration option (`30s`, `2m`, `1500ms`, or `none`). */
export const duration = (name: string, fallback: string, description: string) =>
  Options.text(name).pipe(
    Options.withDefault(fallback),
    Options.withSchema(DurationText),
    Options.withDescription(`${description} (default ${fallback})`)
  )

/** A wait (`20ms`, `1s`; zero allowed). */
export const wait = (name: string, fallback: string, description: string) =>
  Options.text(name).pipe(
    Options.withDefault(fallback),
    Options.mapEffect((text) =>
      Option.match(TimeoutPolicy.parseDuration(text), {
        onNone: () =>
          Effect.fail(
            ValidationError.invalidValue(HelpDoc.p(`--${name}: expected a duration such as 20ms, got ${text}`))
          ),
        onSome: Effect.succeed
      })
    ),
    Options.withDescription(`${description} (default ${fallback})`)
  )
