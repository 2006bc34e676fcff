/**
 * One step of a scripted upstream: what the simulator does next on the wire, once the response
 * has begun. Named scenarios compile to steps, and a script (`Scenario.script`) is a list of them
 * written by hand. How a response starts (its status, when its headers go out) is the scenario's
 * business: an HTTP error answer is `Scenario.httpError`, not a step.
 *
 * The steps are the kernel's plain data (durations in milliseconds), shared by every Effect line;
 * `wait` also takes any Effect `Duration.Input`.
 *
 * @since 0.1.0
 */
import * as Kernel from "@streamguard/kernel/simulator/Step"
import type * as Duration from "effect/Duration"
import type * as Schema from "effect/Schema"
import { durationInput } from "./internal/durationInput.js"
import { fromKind, fromReader } from "./internal/schema.js"

export * from "@streamguard/kernel/simulator/Step"

/**
 * A duration as JSON or a model name writes it: `"90s"`, `"20ms"`, `"2m"`, `"2 minutes"`, or a
 * number of milliseconds; decodes to milliseconds.
 *
 * @since 0.1.0
 * @category schemas
 */
export const DurationInput: Schema.Codec<number, Kernel.DurationInput> = fromReader(
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
export const Step: Schema.Codec<Kernel.Step, Kernel.Step> = fromReader("Step", Kernel.read)

/**
 * One content chunk: the scenario's next token, `text`, or exactly `payload`. The schema of its JSON form.
 *
 * @since 0.1.0
 * @category schemas
 */
export const Chunk = fromKind(Kernel.shapes.Chunk)

/**
 * @since 0.1.0
 * @category models
 */
export type Chunk = Kernel.Chunk

/**
 * The dialect's keepalive. The schema of its JSON form.
 *
 * @since 0.1.0
 * @category schemas
 */
export const Keepalive = fromKind(Kernel.shapes.Keepalive)

/**
 * @since 0.1.0
 * @category models
 */
export type Keepalive = Kernel.Keepalive

/**
 * Nothing for `duration`. The schema of its JSON form.
 *
 * @since 0.1.0
 * @category schemas
 */
export const Wait = fromKind(Kernel.shapes.Wait)

/**
 * @since 0.1.0
 * @category models
 */
export type Wait = Kernel.Wait

/**
 * The dialect's closing frames and done signal. The schema of its JSON form.
 *
 * @since 0.1.0
 * @category schemas
 */
export const Done = fromKind(Kernel.shapes.Done)

/**
 * @since 0.1.0
 * @category models
 */
export type Done = Kernel.Done

/**
 * The dialect's in-band error event. The schema of its JSON form.
 *
 * @since 0.1.0
 * @category schemas
 */
export const ErrorSignal = fromKind(Kernel.shapes.Error)

/**
 * @since 0.1.0
 * @category models
 */
export type ErrorSignal = Kernel.ErrorSignal

/**
 * Exactly these bytes, framing included. The schema of its JSON form.
 *
 * @since 0.1.0
 * @category schemas
 */
export const Raw = fromKind(Kernel.shapes.Raw)

/**
 * @since 0.1.0
 * @category models
 */
export type Raw = Kernel.Raw

/**
 * A TCP reset. The schema of its JSON form.
 *
 * @since 0.1.0
 * @category schemas
 */
export const Reset = fromKind(Kernel.shapes.Reset)

/**
 * @since 0.1.0
 * @category models
 */
export type Reset = Kernel.Reset

/**
 * The connection stays open and silent. The schema of its JSON form.
 *
 * @since 0.1.0
 * @category schemas
 */
export const StallForever = fromKind(Kernel.shapes.StallForever)

/**
 * @since 0.1.0
 * @category models
 */
export type StallForever = Kernel.StallForever

/**
 * EOF without the done signal. The schema of its JSON form.
 *
 * @since 0.1.0
 * @category schemas
 */
export const End = fromKind(Kernel.shapes.End)

/**
 * @since 0.1.0
 * @category models
 */
export type End = Kernel.End

/**
 * Nothing for `duration` (Effect `Clock` time, so `TestClock` can skip it): any Effect
 * `Duration.Input`, or the kernel's text forms (`"90s"`).
 *
 * @since 0.1.0
 * @category constructors
 */
export const wait = (duration: Duration.Input | Kernel.DurationInput): Kernel.Step =>
  Kernel.wait(durationInput(duration))
