/**
 * @since 0.1.0
 */
export * as ConfigFile from "./ConfigFile.js"
/**
 * @since 0.1.0
 */
export * as EnvVars from "./EnvVars.js"
/**
 * @since 0.1.0
 */
export * as Guard from "./Guard.js"
/**
 * @since 0.1.0
 */
export * as GuardError from "./GuardError.js"
/**
 * @since 0.1.0
 */
export * as KernelClock from "./KernelClock.js"
/**
 * @since 0.1.0
 */
export * as ParseIssues from "./ParseIssues.js"
/**
 * @since 0.1.0
 */
export * as ProfileConfig from "./ProfileConfig.js"
/**
 * @since 0.1.0
 */
export * as ProfileConfigError from "./ProfileConfigError.js"
/**
 * @since 0.1.0
 */
export * as Profiles from "./Profiles.js"
/**
 * @since 0.1.0
 */
export * as RequestProfile from "./RequestProfile.js"
/**
 * @since 0.1.0
 */
export * as StreamEvent from "./StreamEvent.js"
/**
 * @since 0.1.0
 */
export * as StreamMetrics from "./StreamMetrics.js"
/**
 * @since 0.1.0
 */
export * as StreamObserver from "./StreamObserver.js"
/**
 * @since 0.1.0
 */
export * as StreamOutcome from "./StreamOutcome.js"
/**
 * @since 0.1.0
 */
export * as TimeoutError from "./TimeoutError.js"
/**
 * @since 0.1.0
 */
export * as TimeoutPolicy from "./TimeoutPolicy.js"
