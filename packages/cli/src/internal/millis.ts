/**
 * Durations as the command prints them: short, and in the forms the config reads back
 * (`50ms`, `2.04s`, `1.5m`).
 */

const trim = (value: number, digits: number): string => value.toFixed(digits).replace(/\.?0+$/, "")

/** A measured duration, to about three significant digits. */
export const format = (millis: number | undefined): string => {
  if (millis === undefined) return "-"
  if (millis < 1000) return `${Math.round(millis)}ms`
  if (millis < 60_000) return `${trim(millis / 1000, millis < 10_000 ? 2 : 1)}s`
  return `${trim(millis / 60_000, 1)}m`
}

/** A limit, written as config takes it: a whole number of ms, s or m where that is exact. */
export const limit = (millis: number): string => {
  if (millis % 60_000 === 0) return `${millis / 60_000}m`
  if (millis % 1000 === 0) return `${millis / 1000}s`
  if (millis < 1000) return `${millis}ms`
  return `${trim(millis / 1000, 3)}s`
}

/**
 * Rounds a limit up to a step people would choose: 100 ms under 10 s, 1 s under 2 minutes,
 * 10 s under 10 minutes, a minute above.
 */
export const roundUp = (millis: number): number => {
  const step = millis <= 10_000 ? 100 : millis <= 120_000 ? 1000 : millis <= 600_000 ? 10_000 : 60_000
  return Math.ceil(millis / step) * step
}
