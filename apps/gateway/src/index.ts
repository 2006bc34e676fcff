/**
 * @since 0.1.0
 */
export * as Config from "./config/Config.js"
/**
 * @since 0.1.0
 */
export * as ErrorResponse from "./api/ErrorResponse.js"
/**
 * @since 0.1.0
 */
export * as Gateway from "./Gateway.js"
/**
 * @since 0.1.0
 */
export * as Metrics from "./telemetry/Metrics.js"
/**
 * @since 0.1.0
 */
export * as ModelRouter from "./request/ModelRouter.js"
