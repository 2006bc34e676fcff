/**
 * @since 0.1.0
 */
export * as TestUpstream from "./TestUpstream.js"
/**
 * @since 0.1.0
 */
export * as TimeTravel from "./TimeTravel.js"
