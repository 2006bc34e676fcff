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
  /**
   * As `sleep`, but `wake` runs only once everything else due at that instant has run: on a test
   * clock, after the other sleeps that end then (and what they set off); on the wall clock, once
   * the time read is past it. The engine's deadlines sleep so: an event that arrives at exactly a
   * limit's deadline is in time, whichever of the two the clock would have woken first.
   */
  readonly sleepLast: (millis: number, wake: () => void) => () => void
}

/** The longest delay Node's timers take; a longer one would fire at once. */
const maxTimerMillis = 2 ** 31 - 1

/**
 * The wall clock: `Date.now` and one `setTimeout` per sleep. A `sleep` longer than a timer takes
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
  },
  // The wall clock counts whole milliseconds, and a socket's read at the instant a timer is due may
  // run after it in the same turn of the event loop: the instant is over only once `Date.now()` has
  // passed it. A timer fires by the loop's own clock, which may read a millisecond behind: then it
  // sleeps one more (and a sleep longer than a timer takes sleeps on the same way).
  sleepLast: (millis, wake) => {
    const at = Date.now() + Math.max(0, millis)
    let timer: ReturnType<typeof setTimeout>
    const check = () => {
      const left = at - Date.now()
      if (left < 0) wake()
      else timer = setTimeout(check, Math.min(left + 1, maxTimerMillis))
    }
    timer = setTimeout(check, Math.min(Math.max(0, millis) + 1, maxTimerMillis))
    return () => clearTimeout(timer)
  }
}
