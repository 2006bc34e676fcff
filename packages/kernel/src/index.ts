/**
 * @since 0.1.0
 */
export * as StreamOutcome from "./StreamOutcome.js"
/**
 * @since 0.1.0
 */
export * as StreamEvent from "./StreamEvent.js"
