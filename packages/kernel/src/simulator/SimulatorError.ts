/**
 * What the simulator fails with, as plain data: a scenario spec that does not parse, a reset
 * played where there is no socket to destroy, a wait for a request's close or end that took too
 * long. Each Effect line turns these into its own error classes, with the same fields and the same
 * `message`.
 *
 * @since 0.1.0
 */

/**
 * A scenario spec or `x-sim-scenario` header that does not parse: `reason` names every mistake,
 * one per parameter, joined with `; `.
 *
 * @since 0.1.0
 * @category models
 */
export interface ScenarioParseError {
  readonly _tag: "ScenarioParseError"
  readonly spec: string
  readonly reason: string
}

/**
 * A `Reset` step played in-process, where there is no socket to destroy.
 *
 * @since 0.1.0
 * @category models
 */
export interface SimulatedReset {
  readonly _tag: "SimulatedReset"
}

/**
 * Waiting for a request's close or end took longer than the bound.
 *
 * @since 0.1.0
 * @category models
 */
export interface SimulatorTimeout {
  readonly _tag: "SimulatorTimeout"
  readonly id: string
  readonly waitingFor: "close" | "finish"
  readonly timeoutMillis: number
}

/**
 * Every failure of the simulator.
 *
 * @since 0.1.0
 * @category models
 */
export type SimulatorError = ScenarioParseError | SimulatedReset | SimulatorTimeout

/**
 * @since 0.1.0
 * @category constructors
 */
export const scenarioParseError = (spec: string, reason: string): ScenarioParseError => ({
  _tag: "ScenarioParseError",
  spec,
  reason
})

/**
 * @since 0.1.0
 * @category constructors
 */
export const simulatedReset: SimulatedReset = { _tag: "SimulatedReset" }

/**
 * @since 0.1.0
 * @category constructors
 */
export const simulatorTimeout = (
  id: string,
  waitingFor: "close" | "finish",
  timeoutMillis: number
): SimulatorTimeout => ({ _tag: "SimulatorTimeout", id, waitingFor, timeoutMillis })

/**
 * A failure in words: the `message` of each line's error class.
 *
 * @since 0.1.0
 * @category formatting
 */
export const message = (error: SimulatorError): string => {
  switch (error._tag) {
    case "ScenarioParseError":
      return `bad simulator scenario ${JSON.stringify(error.spec)}: ${error.reason}`
    case "SimulatedReset":
      return "the scenario reset the connection"
    case "SimulatorTimeout":
      return `simulator request ${error.id}: no ${error.waitingFor} within ${error.timeoutMillis} ms`
  }
}
