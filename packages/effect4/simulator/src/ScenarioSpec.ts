/**
 * How a request names its scenario: a spec in its model name (`sim:steady?chunks=200&gap=20ms`,
 * `sim:think-90s`, `sim:429`) or in the `x-sim-scenario` header (a spec as above, or JSON: a
 * scenario object, or an array of steps). Any other model name plays `steady` with its defaults.
 *
 * The grammar is the kernel's, shared by every Effect line; here a failure is a `ScenarioParseError`
 * in a `Result`.
 *
 * @since 0.1.0
 */
import type * as Scenario from "@streamguard/kernel/simulator/Scenario"
import * as Kernel from "@streamguard/kernel/simulator/ScenarioSpec"
import * as SimulatorError from "@streamguard/kernel/simulator/SimulatorError"
import * as Result from "effect/Result"
import * as Schema from "effect/Schema"

export {
  /**
   * The scenario's name as a spec writes it (`steady`, `stall-after`, `429`, `script`), for
   * records and logs.
   *
   * @since 0.1.0
   * @category formatting
   */
  name,
  /**
   * The scenario names as they appear after `sim:`; `think-90s`, `stall-after-3` and `429` carry
   * their main parameter in the name.
   *
   * @since 0.1.0
   * @category models
   */
  names,
  /**
   * The JSON form of a scenario, for the `x-sim-scenario` header: `parse(toHeader(s))` gives `s`.
   *
   * @since 0.1.0
   * @category formatting
   */
  toHeader
} from "@streamguard/kernel/simulator/ScenarioSpec"

/**
 * A scenario spec or header that does not parse: `reason` names every mistake, one per parameter.
 *
 * @since 0.1.0
 * @category errors
 */
export class ScenarioParseError extends Schema.TaggedError<ScenarioParseError>(
  "@streamguard/simulator/ScenarioParseError"
)("ScenarioParseError", {
  spec: Schema.String,
  reason: Schema.String
}) {
  /** @since 0.1.0 */
  override get message(): string {
    return SimulatorError.message(this)
  }
}

const toResult = (
  parsed: Scenario.Scenario | SimulatorError.ScenarioParseError
): Result.Result<Scenario.Scenario, ScenarioParseError> =>
  Kernel.isFailure(parsed) ?
    Result.fail(new ScenarioParseError({ spec: parsed.spec, reason: parsed.reason })) :
    Result.succeed(parsed)

/**
 * Reads a spec: `sim:<name>?param=value&...` (the `sim:` prefix is optional), a JSON scenario
 * object (`{"_tag":"Steady","chunks":3}`), or a JSON array of steps (a `Script`). Unknown
 * parameters are errors, so a typo does not silently play the defaults.
 *
 * @since 0.1.0
 * @category parsing
 */
export const parse = (spec: string): Result.Result<Scenario.Scenario, ScenarioParseError> =>
  toResult(Kernel.parse(spec))

/**
 * The scenario a model name asks for: `sim:...` parses, any other name plays `steady`.
 *
 * @since 0.1.0
 * @category parsing
 */
export const fromModel = (model: string): Result.Result<Scenario.Scenario, ScenarioParseError> =>
  toResult(Kernel.fromModel(model))
