/**
 * The kernel's deadline scheduler on an Effect `Clock`: one per Clock, sleeping on it. The live
 * Clock is the wall clock, so its scheduler sleeps on Node's timers with no fiber; any other (a
 * `TestClock`) sleeps in one fiber of its own per wake-up, through the Clock's own `sleep`, so
 * `TestClock.adjust` drives every limit.
 *
 * @internal
 */
import * as KernelClock from "@streamguard/kernel/Clock"
import { Deadlines } from "@streamguard/kernel/Deadlines"
import * as Clock from "effect/Clock"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"

/** The live Clock: the `Context.Reference`'s default, one object that every fiber sees unless one is provided. */
const live: Clock.Clock = Context.get(Context.empty(), Clock.Clock)

/**
 * `clock` as the kernel reads and sleeps on it. A sleep is a fiber that `runFork` evaluates at
 * once, so its sleep is registered on the Clock before `sleep` returns; `interruptUnsafe` runs the
 * sleep's release (unregisters it) at once too.
 */
const adapt = (clock: Clock.Clock): KernelClock.Clock =>
  clock === live ? KernelClock.system : {
    now: () => clock.currentTimeMillisUnsafe(),
    sleep: (millis, wake) => {
      const fiber = Effect.runFork(clock.sleep(Duration.millis(Math.max(0, millis))))
      fiber.addObserver((exit) => {
        if (exit._tag === "Success") wake()
      })
      return () => fiber.interruptUnsafe()
    }
  }

const byClock = new WeakMap<Clock.Clock, Deadlines>()

/**
 * The scheduler of `clock`, made on first use.
 *
 * @internal
 */
export const forClock = (clock: Clock.Clock): Deadlines => {
  let deadlines = byClock.get(clock)
  if (deadlines === undefined) {
    deadlines = new Deadlines(adapt(clock))
    byClock.set(clock, deadlines)
  }
  return deadlines
}
