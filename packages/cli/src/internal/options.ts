/**
 * The options several commands share, and how their values are read.
 */
import * as TimeoutPolicy from "@streamguard/core/TimeoutPolicy"
import type { DialectName } from "@streamguard/protocols/Dialect"
import * as Dialects from "@streamguard/protocols/Dialects"
import * as Flag from "effect/cli/Flag"
import type * as Duration from "effect/Duration"
import * as Schema from "effect/Schema"

/** The dialects by their shared names (`sse` takes options, so it is not one of them). */
export const dialectNames = Object.keys(Dialects.byName) as Array<Exclude<DialectName, "sse">>

export const dialect = Flag.Literals("dialect", dialectNames).pipe(
  Flag.withAlias("d"),
  Flag.withDescription("how the provider streams: its dialect")
)

/**
 * A switch: off unless given. Without a negated form (`--no-json`), which the command never had;
 * `--no-color` is a switch of its own.
 */
export const flag = (name: string, description: string) =>
  Flag.Boolean(name).pipe(Flag.withoutNegation, Flag.withDefault(false), Flag.withDescription(description))

export const json = flag("json", "write everything as one JSON document on stdout, and nothing else")

export const noColor = flag(
  "no-color",
  "no colours (they are off anyway when stdout is not a terminal, or NO_COLOR is set)"
)

export const profile = Flag.String("profile").pipe(
  Flag.withDefault("chat"),
  Flag.withDescription("the profile the recommended limits are written for")
)

export const margin = Flag.Finite("margin").pipe(
  Flag.withDefault(2),
  Flag.withDescription("each recommended limit is the worst case seen times this")
)

const DurationText: Schema.Codec<Duration.Duration, string> = Schema.String.pipe(
  Schema.decodeTo(TimeoutPolicy.Timeout)
)

/** A duration option (`30s`, `2m`, `1500ms`, or `none`). */
export const duration = (name: string, fallback: string, description: string) =>
  Flag.String(name).pipe(
    Flag.withDefault(fallback),
    Flag.withSchema(DurationText),
    Flag.withDescription(`${description} (default ${fallback})`)
  )

/** A wait (`20ms`, `1s`; zero allowed). */
export const wait = (name: string, fallback: string, description: string) =>
  Flag.String(name).pipe(
    Flag.withDefault(fallback),
    Flag.filterMap(
      TimeoutPolicy.parseDuration,
      // effect/cli's message names the flag and the value: "Invalid value for flag --gap: "x". Expected: ..."
      () => "a duration such as 20ms"
    ),
    Flag.withDescription(`${description} (default ${fallback})`)
  )
