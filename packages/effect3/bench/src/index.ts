/**
 * @since 0.1.0
 */
export * as Scenarios from "./Scenarios.js"
/**
 * @since 0.1.0
 */
export * as Subject from "./Subject.js"
