/**
 * An Effect `Clock` as the kernel's server sleeps on it. The live Clock is the wall clock, so the
 * server keeps Node's timers; any other (a `TestClock`) sleeps in one fiber per wait, started at
 * once on the Clock's own `sleep`, so `TestClock.adjust` moves the server's scenarios.
 */
import * as KernelClock from "@streamguard/kernel/Clock"
import * as Clock from "effect/Clock"
import * as Context from "effect/Context"
import * as DefaultServices from "effect/DefaultServices"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as FiberId from "effect/FiberId"

/** The Clock of Effect's default services: `Date.now` and timers. */
const live: Clock.Clock = Context.get(DefaultServices.liveServices, Clock.Clock)

/** `clock` as the kernel reads and sleeps on it; an interruption of a wait's fiber cancels it. */
export const adapt = (clock: Clock.Clock): KernelClock.Clock =>
  clock === live ? KernelClock.system : {
    now: () => clock.unsafeCurrentTimeMillis(),
    sleep: (millis, wake) => {
      const fiber = Effect.runFork(clock.sleep(Duration.millis(Math.max(0, millis))))
      fiber.addObserver((exit) => {
        if (exit._tag === "Success") wake()
      })
      return () => fiber.unsafeInterruptAsFork(FiberId.none)
    }
  }
