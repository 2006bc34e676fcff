/**
 * Durations as StreamGuard reads them, in milliseconds: the one reader of durations every line
 * shares (policies, env values, a model name's scenario, command-line options). A duration is a
 * plain number of milliseconds; `Infinity` is no limit.
 *
 * @since 0.1.0
 */
import * as Messages from "./Messages.js"

/**
 * What a reader made of its input: the value, or why there is none, in words an operator acts on.
 *
 * @since 0.1.0
 * @category models
 */
export type Parsed<A> = { readonly value: A } | { readonly reason: string }

/**
 * @since 0.1.0
 * @category guards
 */
export const isParsed = <A>(parsed: Parsed<A>): parsed is { readonly value: A } => "value" in parsed

// Short forms ("30s", "2m", "1500ms") are what people type (in env vars, in a model name, which has
// no room for spaces); the long forms ("30 seconds", "1500 millis") are Effect's own, which users of
// either Effect line write in code and config alike.
const SHORT_FORM = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)$/
const LONG_FORM = /^(-?\d+(?:\.\d+)?)\s+(nanos?|micros?|millis?|seconds?|minutes?|hours?|days?|weeks?)$/
const NUMBER = /^\d+(\.\d+)?$/
const NEGATIVE_NUMBER = /^\s*-\d+(\.\d+)?\s*$/

const shortUnit: Readonly<Record<string, number>> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 }

const longUnit: Readonly<Record<string, number>> = {
  milli: 1,
  second: 1_000,
  minute: 60_000,
  hour: 3_600_000,
  day: 86_400_000,
  week: 604_800_000
}

/** Nanoseconds per unit of the long forms finer than a millisecond. */
const nanosPer: Readonly<Record<string, number>> = { nano: 1, micro: 1_000 }

/**
 * A long form in millis, as Effect reads it: a negative value is zero, and a value in nanos or
 * micros is a whole number of nanoseconds (a fraction rounded), so both lines read one string alike.
 */
const longForm = (value: string, unit: string): number => {
  const singular = unit.endsWith("s") ? unit.slice(0, -1) : unit
  const nanos = nanosPer[singular]
  const millis = nanos === undefined
    ? Number(value) * longUnit[singular]!
    : (value.includes(".") ? Math.round(Number(value) * nanos) : Number(value) * nanos) / 1_000_000
  return millis > 0 ? millis : 0
}

/**
 * A duration as people write it, in millis: `"30s"`, `"2m"`, `"1500ms"`, `"1h"`, `"1d"`, Effect's
 * long forms (`"30 seconds"`, `"1500 millis"`, `"2 minutes"`, from `nanos` to `weeks`), or a number
 * (or numeric string) of milliseconds. Zero is a duration; a negative number, `NaN`, `Infinity` and
 * anything else are not (`undefined`). A negative long form is zero, as Effect reads it.
 *
 * @since 0.1.0
 * @category parsing
 */
export const parse = (input: unknown): number | undefined => {
  if (typeof input === "number") return Number.isFinite(input) && input >= 0 ? input : undefined
  if (typeof input !== "string") return undefined
  const trimmed = input.trim()
  if (NUMBER.test(trimmed)) return Number(trimmed)
  const short = SHORT_FORM.exec(trimmed)
  if (short !== null) return Number(short[1]) * shortUnit[short[2]!]!
  const long = LONG_FORM.exec(trimmed)
  return long === null ? undefined : longForm(long[1]!, long[2]!)
}

/**
 * A timeout as config and JSON spell it, in millis: a duration as `parse` reads it, or `"none"`
 * (`Infinity`: no limit, which also clears a limit inherited in a merge). Zero and negative values
 * are refused, as is anything else, with the reason.
 *
 * @since 0.1.0
 * @category parsing
 */
export const parseTimeout = (input: string | number): Parsed<number> => {
  if (typeof input === "string" && input.trim() === "none") return { value: Infinity }
  // A negative number is a duration, only too short: the positivity check below says so.
  const negative = typeof input === "number" ? input < 0 : NEGATIVE_NUMBER.test(input)
  const millis = negative ? 0 : parse(input)
  if (millis === undefined) return { reason: Messages.notADuration(input) }
  return millis > 0 ? { value: millis } : { reason: Messages.notPositive(input) }
}

/**
 * A timeout as `parseTimeout` reads it back: `"1500 millis"`, or `"none"` for no limit.
 *
 * @since 0.1.0
 * @category formatting
 */
export const formatTimeout = (millis: number): string => Number.isFinite(millis) ? `${millis} millis` : "none"
