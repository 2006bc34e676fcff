/**
 * @since 0.1.0
 */
export * as BatchResponse from "./BatchResponse.js"
/**
 * @since 0.1.0
 */
export * as ClientError from "./ClientError.js"
/**
 * @since 0.1.0
 */
export * as LlmClient from "./LlmClient.js"
