/**
 * @since 0.1.0
 */
export * as Config from "./Config.js"
/**
 * @since 0.1.0
 */
export * as ErrorResponse from "./ErrorResponse.js"
/**
 * @since 0.1.0
 */
export * as Gateway from "./Gateway.js"
/**
 * @since 0.1.0
 */
export * as Metrics from "./Metrics.js"
/**
 * @since 0.1.0
 */
export * as Routing from "./Routing.js"
