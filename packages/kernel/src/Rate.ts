/**
 * The least pace a stream must keep once its content began (a policy's `minRate`), in plain
 * numbers, and its reader: `"5/10s"` is at least 5 content events in every 10 seconds.
 *
 * @since 0.1.0
 */
import type { Parsed } from "./Durations.js"
import * as Durations from "./Durations.js"
import * as Messages from "./Messages.js"

/**
 * At least `events` content events in every window of `windowMillis`. `events` 0 is no limit
 * (`"none"`).
 *
 * @since 0.1.0
 * @category models
 */
export interface MinRate {
  readonly events: number
  readonly windowMillis: number
}

/**
 * No minimum rate: clears one inherited in a merge.
 *
 * @since 0.1.0
 * @category constants
 */
export const none: MinRate = { events: 0, windowMillis: Infinity }

/**
 * Whether the rate limits anything: some events in a finite window.
 *
 * @since 0.1.0
 * @category predicates
 */
export const isLimit = (rate: MinRate): boolean => rate.events > 0 && Number.isFinite(rate.windowMillis)

const RATE_FORM = /^(\d+)\s*(?:\/|per)\s*(.+)$/

/**
 * A minimum rate as config and JSON spell it: `"<events>/<window>"` (`"5/10s"`, `"20 / 1m"`,
 * `"5 per 10 seconds"`), the window a duration as `Durations.parse` reads it, or `"none"` (no
 * limit, which also clears a rate inherited in a merge). Anything else is refused with the reason.
 *
 * @since 0.1.0
 * @category parsing
 */
export const parse = (input: string): Parsed<MinRate> => {
  const trimmed = input.trim()
  if (trimmed === "none") return { value: none }
  const match = RATE_FORM.exec(trimmed)
  if (match === null) return { reason: Messages.notARate(input) }
  const events = Number(match[1])
  const windowMillis = Durations.parse(match[2]!)
  if (events <= 0) return { reason: Messages.rateWithoutEvents(input) }
  if (windowMillis === undefined || windowMillis <= 0) return { reason: Messages.rateWithoutWindow(input) }
  return { value: { events, windowMillis } }
}

/**
 * A rate as `parse` reads it back: `"5/10000 millis"`, or `"none"`.
 *
 * @since 0.1.0
 * @category formatting
 */
export const format = (rate: MinRate): string =>
  rate.events === 0 ? "none" : `${rate.events}/${rate.windowMillis} millis`
