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
export * as Simulation from "./Simulation.js"
/**
 * @since 0.1.0
 */
export * as Step from "./Step.js"
/**
 * @since 0.1.0
 */
export * as UpstreamSimulator from "./UpstreamSimulator.js"
/**
 * @since 0.1.0
 */
export * as Script from "./Script.js"
/**
 * @since 0.1.0
 */
export * as TestUpstream from "./TestUpstream.js"
/**
 * @since 0.1.0
 */
export * as TimeTravel from "./TimeTravel.js"
