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
import type * as Schema from "effect/Schema"
import { durationInput } from "./internal/durationInput.js"
import { fromReader } from "./internal/schema.js"

export * from "@streamguard/kernel/simulator/Step"

/**
 * A duration as JSON or a model name writes it: `"90s"`, `"20ms"`, `"2m"`, `"2 minutes"`, or a
 * number of milliseconds; decodes to milliseconds.
 *
 * @since 0.1.0
 * @category schemas
 */
export const DurationInput: Schema.Schema<number, Kernel.DurationInput> = fromReader(
  "DurationInput",
  Kernel.readDuration
)

/**
 * A duration as JSON or a model name writes it (see the `DurationInput` schema).
 *
 * @since 0.1.0
 * @category models
 */
export type DurationInput = Kernel.DurationInput

/**
 * Any step, told apart by `_tag`, with durations in milliseconds.
 *
 * @since 0.1.0
 * @category models
 */
export type Step = Kernel.Step

/**
 * A step from its JSON form (`{"_tag":"Wait","duration":"2s"}`); a mistake fails with a
 * `ParseError` naming each one.
 *
 * @since 0.1.0
 * @category schemas
 */
export const Step: Schema.Schema<Kernel.Step, Kernel.Step> = fromReader("Step", Kernel.read)

/**
 * Nothing for `duration` (Effect `Clock` time, so `TestClock` can skip it): any Effect
 * `DurationInput`, or the kernel's text forms (`"90s"`).
 *
 * @since 0.1.0
 * @category constructors
 */
export const wait = (duration: Duration.DurationInput | Kernel.DurationInput): Kernel.Step =>
  Kernel.wait(durationInput(duration))
