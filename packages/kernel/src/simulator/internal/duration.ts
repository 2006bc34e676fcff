/**
 * Durations as the simulator reads them, in milliseconds: `"90s"`, `"20ms"`, `"2m"`, `"1h"`,
 * `"1d"`, Effect's long forms (`"2 minutes"`, `"1500 millis"`, `"3 weeks"`), or a number (or
 * numeric text) of milliseconds. Zero is a duration; negative numbers, `NaN`, `Infinity` and
 * anything else are not.
 *
 * The simulator's own reader for now: the kernel's duration reader, which the policies will share,
 * is being written beside this, and this file gives way to it when it lands. It reads exactly what
 * the Effect 3 line's `TimeoutPolicy.parseDuration` reads, so no spec changes meaning.
 */

// Short forms are what people type (in a model name there is no room for spaces).
const shortForm = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)$/

// Effect's `Duration` long forms, as `Duration.decode` reads them (a negative amount is zero there).
const longForm = /^(-?\d+(?:\.\d+)?)\s+(nanos?|micros?|millis?|seconds?|minutes?|hours?|days?|weeks?)$/

const millisPer: Readonly<Record<string, number>> = {
  ms: 1,
  s: 1_000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  nano: 1e-6,
  micro: 1e-3,
  milli: 1,
  second: 1_000,
  minute: 60_000,
  hour: 3_600_000,
  day: 86_400_000,
  week: 604_800_000
}

/** `input` in milliseconds, or `undefined` when it is no duration. */
export const parseMillis = (input: unknown): number | undefined => {
  if (typeof input === "number") return Number.isFinite(input) && input >= 0 ? input : undefined
  if (typeof input !== "string") return undefined
  const trimmed = input.trim()
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Number(trimmed)
  const short = shortForm.exec(trimmed)
  if (short !== null) return Number(short[1]) * millisPer[short[2]!]!
  const long = longForm.exec(trimmed)
  if (long === null) return undefined
  const amount = Number(long[1])
  const unit = long[2]!.endsWith("s") ? long[2]!.slice(0, -1) : long[2]!
  return amount <= 0 ? 0 : amount * millisPer[unit]!
}
