/**
 * An Effect `Clock` as the kernel's engine and simulator read and sleep on it: the one bridge of
 * this line, so the guard's deadlines and the simulator's plays move with the same `TestClock`.
 *
 * @since 0.1.0
 */
import * as Kernel from "@streamguard/kernel/Clock"
import * as Clock from "effect/Clock"
import * as Context from "effect/Context"
import * as DefaultServices from "effect/DefaultServices"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as FiberId from "effect/FiberId"

/** The Clock of Effect's default services: `Date.now` and timers. */
const live: Clock.Clock = Context.get(DefaultServices.liveServices, Clock.Clock)

/**
 * `clock` as the kernel reads and sleeps on it. The live Clock is the wall clock, so it becomes
 * the kernel's `system` clock (Node's timers, no fiber). Any other (a `TestClock`) sleeps in one
 * fiber per wait: `runFork` starts it at once, so its sleep is registered on the Clock before
 * `sleep` returns, and cancelling interrupts it.
 *
 * @since 0.1.0
 * @category constructors
 */
export const fromClock = (clock: Clock.Clock): Kernel.Clock =>
  clock === live ? Kernel.system : {
    now: () => clock.unsafeCurrentTimeMillis(),
    sleep: (millis, wake) => {
      const fiber = Effect.runFork(clock.sleep(Duration.millis(Math.max(0, millis))))
      fiber.addObserver((exit) => {
        if (exit._tag === "Success") wake()
      })
      return () => fiber.unsafeInterruptAsFork(FiberId.none)
    }
  }
