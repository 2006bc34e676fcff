/**
 * What the simulator plays for one request, as data: a named, parameterised behaviour (`steady`,
 * `think`, `stallAfter`, an HTTP error, ...) or a script of steps. The one vocabulary of the
 * simulator, the in-process `Simulation` and the in-memory upstream of `@streamguard/testing-effect3`.
 *
 * Every constructor takes the scenario's JSON form (`gap: "5ms"`, `chunks: 3`), the same fields a
 * spec names in a model (`sim:steady?chunks=3&gap=5ms`, see `ScenarioSpec`), and fills the same
 * defaults. Scenarios are the kernel's plain data (durations in milliseconds), shared by every
 * Effect line; `script` also takes an Effect `DurationInput` for its keepalive.
 *
 * @since 0.1.0
 */
import * as Kernel from "@streamguard/kernel/simulator/Scenario"
import type * as Step from "@streamguard/kernel/simulator/Step"
import type * as Duration from "effect/Duration"
import type * as Schema from "effect/Schema"
import { durationInput } from "./internal/durationInput.js"
import { fromReader } from "./internal/schema.js"

export * from "@streamguard/kernel/simulator/Scenario"

/**
 * Any scenario, told apart by `_tag`, with durations in milliseconds.
 *
 * @since 0.1.0
 * @category models
 */
export type Scenario = Kernel.Scenario

/**
 * A scenario from its JSON form (`{"_tag":"Steady","gap":"5ms"}`, what `ScenarioSpec.toHeader`
 * writes), with its defaults filled; a mistake fails with a `ParseError` naming each one, in the
 * words a spec's `ScenarioParseError` uses.
 *
 * @since 0.1.0
 * @category schemas
 */
export const Scenario: Schema.Schema<Kernel.Scenario, Kernel.Scenario> = fromReader("Scenario", Kernel.read)

/**
 * Exactly these steps (see `Step`), after the dialect's opening frames (none with
 * `opening: false`); no keepalives of its own unless `keepalive` is set, no jitter.
 *
 * @since 0.1.0
 * @category constructors
 */
export const script = (
  steps: ReadonlyArray<Step.Step>,
  options: {
    readonly text?: string
    readonly keepalive?: Duration.DurationInput | Step.DurationInput | "none"
    readonly opening?: boolean
  } = {}
): Kernel.Scenario =>
  Kernel.script(steps, {
    ...(options.text === undefined ? {} : { text: options.text }),
    ...(options.opening === undefined ? {} : { opening: options.opening }),
    ...(options.keepalive === undefined ? {} : {
      keepalive: options.keepalive === "none" ? "none" : durationInput(options.keepalive)
    })
  })
