import * as Duration from "effect/Duration"
import * as Option from "effect/Option"

const SHORT = /^(\d+(?:\.\d+)?)(ms|s|m|h)$/

const UNIT_MILLIS = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 } as const

/**
 * Reads the durations people type in a model name (`90s`, `20ms`, `2m`), Effect's own forms
 * (`2 minutes`) and plain numbers as milliseconds. `Duration.decodeUnknown` knows only the long
 * forms, and a model name has no room for spaces, hence the short forms here.
 */
export const parse = (input: unknown): Option.Option<Duration.Duration> => {
  if (typeof input === "number") {
    return Number.isFinite(input) && input >= 0 ? Option.some(Duration.millis(input)) : Option.none()
  }
  if (typeof input !== "string") return Option.none()
  const trimmed = input.trim()
  if (/^\d+(?:\.\d+)?$/.test(trimmed)) return Option.some(Duration.millis(Number(trimmed)))
  const short = SHORT.exec(trimmed)
  if (short !== null) {
    return Option.some(Duration.millis(Number(short[1]) * UNIT_MILLIS[short[2] as keyof typeof UNIT_MILLIS]))
  }
  return Duration.decodeUnknown(trimmed)
}
