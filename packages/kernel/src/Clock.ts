/**
 * The clock the engine reads and sleeps on: all a line needs to give it. Each line adapts its
 * Effect `Clock` to it, so a test clock (`TestClock.adjust`) drives every limit; `system` is the
 * wall clock on Node's timers.
 *
 * @since 0.1.0
 */

/**
 * @since 0.1.0
 * @category models
 */
export interface Clock {
  /** The time now, in millis. */
  readonly now: () => number
  /**
   * Calls `wake` once, `millis` from now on this clock, unless the function it returns is called
   * first (then never). The sleep is registered before `sleep` returns, so a test clock moved at
   * once sees it.
   */
  readonly sleep: (millis: number, wake: () => void) => () => void
}

/** The longest delay Node's timers take; a longer one would fire at once. */
const maxTimerMillis = 2 ** 31 - 1

/**
 * The wall clock: `Date.now` and one `setTimeout` per sleep. A sleep longer than a timer takes
 * (about 24.8 days) wakes early; the scheduler finds nothing due and sleeps again.
 *
 * @since 0.1.0
 * @category constants
 */
export const system: Clock = {
  now: Date.now,
  sleep: (millis, wake) => {
    const timer = setTimeout(wake, Math.min(Math.max(0, millis), maxTimerMillis))
    return () => clearTimeout(timer)
  }
}
