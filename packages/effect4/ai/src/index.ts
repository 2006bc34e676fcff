/**
 * @since 0.1.0
 */
export * as GuardedHttpClient from "./GuardedHttpClient.js"

/**
 * @since 0.1.0
 */
export * as StreamParts from "./StreamParts.js"
