/**
 * @since 0.1.0
 */
export * as RequestRecord from "./RequestRecord.js"
/**
 * @since 0.1.0
 */
export * as Scenario from "./Scenario.js"
/**
 * @since 0.1.0
 */
export * as ScenarioSpec from "./ScenarioSpec.js"
/**
 * @since 0.1.0
 */
export * as Simulation from "./Simulation.js"
/**
 * @since 0.1.0
 */
export * as Step from "./Step.js"
/**
 * @since 0.1.0
 */
export * as Transcript from "./Transcript.js"
/**
 * @since 0.1.0
 */
export * as UpstreamSimulator from "./UpstreamSimulator.js"
