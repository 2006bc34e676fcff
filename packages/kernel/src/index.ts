/**
 * @since 0.1.0
 */
export * as Clock from "./Clock.js"
/**
 * @since 0.1.0
 */
export * as Deadlines from "./Deadlines.js"
/**
 * @since 0.1.0
 */
export * as Durations from "./Durations.js"
/**
 * @since 0.1.0
 */
export * as EnvVars from "./EnvVars.js"
/**
 * @since 0.1.0
 */
export * as EventTally from "./EventTally.js"
/**
 * @since 0.1.0
 */
export * as Feed from "./Feed.js"
/**
 * @since 0.1.0
 */
export * as GuardedStream from "./GuardedStream.js"
/**
 * @since 0.1.0
 */
export * as GuardErrors from "./GuardErrors.js"
/**
 * @since 0.1.0
 */
export * as Limits from "./Limits.js"
/**
 * @since 0.1.0
 */
export * as Messages from "./Messages.js"
/**
 * @since 0.1.0
 */
export * as Policy from "./Policy.js"
/**
 * @since 0.1.0
 */
export * as ProfileConfig from "./ProfileConfig.js"
/**
 * @since 0.1.0
 */
export * as Profiles from "./Profiles.js"
/**
 * @since 0.1.0
 */
export * as Rate from "./Rate.js"
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
export * as StreamNote from "./StreamNote.js"
/**
 * @since 0.1.0
 */
export * as StreamOutcome from "./StreamOutcome.js"
/**
 * @since 0.1.0
 */
export * as StreamSnapshot from "./StreamSnapshot.js"
/**
 * @since 0.1.0
 */
export * as StreamTiming from "./StreamTiming.js"
/**
 * @since 0.1.0
 */
export * as Timeouts from "./Timeouts.js"
