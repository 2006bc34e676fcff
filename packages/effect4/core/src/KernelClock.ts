/**
 * An Effect `Clock` as the kernel's engine and simulator read and sleep on it: the one bridge of
 * this line, so the guard's deadlines and the simulator's plays move with the same `TestClock`.
 *
 * @since 0.1.0
 */
import * as Kernel from "@streamguard/kernel/Clock"
import * as Clock from "effect/Clock"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"

/** The live Clock: the `Context.Reference`'s default, one object that every fiber sees unless one is provided. */
const live: Clock.Clock = Context.get(Context.empty(), Clock.Clock)

/**
 * `clock` as the kernel reads and sleeps on it. The live Clock is the wall clock, so it becomes
 * the kernel's `system` clock (Node's timers, no fiber). Any other (a `TestClock`) sleeps in one
 * fiber per wait: `runFork` evaluates it at once, so its sleep is registered on the Clock before
 * `sleep` returns, and cancelling interrupts it, which unregisters the sleep at once too.
 * Its `sleepLast` wakes after the other sleeps that end at the same instant (see `sleepLast`
 * below).
 *
 * @since 0.1.0
 * @category constructors
 */
export const fromClock = (clock: Clock.Clock): Kernel.Clock => {
  if (clock === live) return Kernel.system
  const now = () => clock.currentTimeMillisUnsafe()
  const sleep = (millis: number, wake: () => void): () => void => {
    const fiber = Effect.runFork(clock.sleep(Duration.millis(Math.max(0, millis))))
    fiber.addObserver((exit) => {
      if (exit._tag === "Success") wake()
    })
    return () => fiber.interruptUnsafe()
  }
  return { now, sleep, sleepLast: (millis, wake) => sleepLast(now, sleep, millis, wake) }
}

/**
 * A sliver of a millisecond, exact in the `TestClock`'s arithmetic: 15,625 ns is 2^-6 ms, so a
 * `Duration` keeps it whole in nanoseconds, and a whole millisecond less it, plus it, is that
 * millisecond again (no rounding for any time below 2^46 ms).
 */
const sliver = 2 ** -6

/**
 * `sleepLast` on a `TestClock`. Effect 4's wakes the sleeps that end at one instant in the order
 * they were registered, and runs what each sets off before it wakes the next. A deadline's sleep is
 * often the older one (registered when the stream started, or the consumer began to wait), so the
 * upstream's event due at the same instant would come after the decision: the order of two sleeps,
 * not the time, would decide. Sleeping to a sliver before the instant, then the sliver, registers
 * the sleep that ends at the instant after every other one (a sleep started at the instant itself
 * cannot end at it). The clock reads the sliver's time only while that second sleep is registered.
 */
const sleepLast = (
  now: () => number,
  sleep: (millis: number, wake: () => void) => () => void,
  millis: number,
  wake: () => void
): () => void => {
  if (millis <= sliver) return sleep(millis, wake)
  const at = now() + millis
  let cancel = sleep(millis - sliver, () => {
    cancel = sleep(at - now(), wake)
  })
  return () => cancel()
}
