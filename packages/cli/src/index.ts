/**
 * @since 0.1.0
 */
export * as CheckConfig from "./CheckConfig.js"
/**
 * @since 0.1.0
 */
export * as Cli from "./Cli.js"
/**
 * @since 0.1.0
 */
export * as CliError from "./CliError.js"
/**
 * @since 0.1.0
 */
export * as HtmlReport from "./HtmlReport.js"
/**
 * @since 0.1.0
 */
export * as Output from "./Output.js"
/**
 * @since 0.1.0
 */
export * as Probe from "./Probe.js"
/**
 * @since 0.1.0
 */
export * as Recommendation from "./Recommendation.js"
/**
 * @since 0.1.0
 */
export * as Replay from "./Replay.js"
/**
 * @since 0.1.0
 */
export * as Summary from "./Summary.js"
/**
 * @since 0.1.0
 */
export * as TextReport from "./TextReport.js"
/**
 * @since 0.1.0
 */
export * as Timeline from "./Timeline.js"
