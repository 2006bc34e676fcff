/**
 * Every message StreamGuard's errors and readers give, in one place: each line's error classes
 * return these (`get message()`), and its schemas show the readers' reasons, so both lines say
 * the same thing in the same words.
 *
 * @since 0.1.0
 */

/**
 * A value as a message shows it: a string quoted, an object as JSON.
 *
 * @since 0.1.0
 * @category formatting
 */
export const show = (value: unknown): string => {
  try {
    return JSON.stringify(value) ?? String(value)
  } catch {
    return String(value)
  }
}

// ---------------------------------------------------------------------------------------------
// Reading durations and rates
// ---------------------------------------------------------------------------------------------

/**
 * A timeout that is no duration at all.
 *
 * @since 0.1.0
 * @category readers
 */
export const notADuration = (input: unknown): string =>
  `expected a duration such as "30s", "2m", "1500 millis", a number of milliseconds, or "none"; got ${
    JSON.stringify(input)
  }`

/**
 * A timeout of zero or less.
 *
 * @since 0.1.0
 * @category readers
 */
export const notPositive = (input: unknown): string => `a timeout must be positive; got ${JSON.stringify(input)}`

/**
 * A rate that is not `<events>/<window>`.
 *
 * @since 0.1.0
 * @category readers
 */
export const notARate = (input: string): string =>
  `expected a rate such as "5/10s" (at least 5 content events in every 10 seconds) or "none"; got ${
    JSON.stringify(input)
  }`

/**
 * A rate of no events.
 *
 * @since 0.1.0
 * @category readers
 */
export const rateWithoutEvents = (input: string): string =>
  `a rate needs at least 1 event per window; got ${JSON.stringify(input)}`

/**
 * A rate whose window is no positive duration.
 *
 * @since 0.1.0
 * @category readers
 */
export const rateWithoutWindow = (input: string): string =>
  `a rate's window must be a positive duration such as "10s"; got ${JSON.stringify(input)}`

// ---------------------------------------------------------------------------------------------
// Building a policy in code
// ---------------------------------------------------------------------------------------------

/**
 * A policy field given something that is no duration (plain JavaScript can pass one).
 *
 * @since 0.1.0
 * @category policies
 */
export const fieldNotADuration = (field: string, value: unknown): string =>
  `TimeoutPolicy.${field}: expected a duration (a Duration, a number of milliseconds, or "30 seconds"); ` +
  `got ${show(value)}`

/**
 * A policy's `minRate` given something that is no rate.
 *
 * @since 0.1.0
 * @category policies
 */
export const fieldNotAMinRate = (value: unknown): string =>
  `TimeoutPolicy.minRate: expected a MinRate (TimeoutPolicy.rate(5, "10 seconds")); got ${show(value)}`

/**
 * A literal budget that is not a positive duration.
 *
 * @since 0.1.0
 * @category policies
 */
export const fieldNotPositive = (field: string, value: unknown): string =>
  `TimeoutPolicy.${field}: expected a positive duration; got ${String(value)}`

/**
 * A literal `minRate` a rate reader refused, with its reason.
 *
 * @since 0.1.0
 * @category policies
 */
export const fieldBadRate = (reason: string): string => `TimeoutPolicy.minRate: ${reason}`
