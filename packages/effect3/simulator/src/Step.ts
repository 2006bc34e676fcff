/**
 * One step of a scripted upstream: what the simulator does next on the wire, once the response
 * has begun. Named scenarios compile to steps, and a script (`Scenario.script`) is a list of them
 * written by hand. How a response starts (its status, when its headers go out) is the scenario's
 * business: an HTTP error answer is `Scenario.httpError`, not a step.
 *
 * The steps are the kernel's plain data (durations in milliseconds), shared by every Effect line;
 * `wait` also takes any Effect `DurationInput`.
 *
 * @since 0.1.0
 */
import * as Kernel from "@streamguard/kernel/simulator/Step"
import type * as Duration from "effect/Duration"
import { durationInput } from "./internal/durationInput.js"

export * from "@streamguard/kernel/simulator/Step"

/**
 * Nothing for `duration` (Effect `Clock` time, so `TestClock` can skip it): any Effect
 * `DurationInput`, or the kernel's text forms (`"90s"`).
 *
 * @since 0.1.0
 * @category constructors
 */
export const wait = (duration: Duration.DurationInput | Kernel.DurationInput): Kernel.Step =>
  Kernel.wait(durationInput(duration))
