/**
 * The kernel's deadline scheduler on an Effect `Clock`: one per Clock, sleeping on it. The live
 * Clock is the wall clock, so its scheduler sleeps on Node's timers with no fiber; any other (a
 * `TestClock`) sleeps in one fiber of its own per wake-up, through the Clock's own `sleep`, so
 * `TestClock.adjust` drives every limit.
 *
 * @internal
 */
import { Deadlines } from "@streamguard/kernel/Deadlines"
import type * as Clock from "effect/Clock"
import { fromClock } from "../KernelClock.js"

const byClock = new WeakMap<Clock.Clock, Deadlines>()

/**
 * The scheduler of `clock`, made on first use.
 *
 * @internal
 */
export const forClock = (clock: Clock.Clock): Deadlines => {
  let deadlines = byClock.get(clock)
  if (deadlines === undefined) {
    deadlines = new Deadlines(fromClock(clock))
    byClock.set(clock, deadlines)
  }
  return deadlines
}
