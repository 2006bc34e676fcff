/**
 * @since 0.1.0
 */
export * as Anthropic from "./Anthropic.js"
/**
 * @since 0.1.0
 */
export * as Dialect from "./Dialect.js"
/**
 * @since 0.1.0
 */
export * as Dialects from "./Dialects.js"
/**
 * @since 0.1.0
 */
export * as Gemini from "./Gemini.js"
/**
 * @since 0.1.0
 */
export * as Mcp from "./Mcp.js"
/**
 * @since 0.1.0
 */
export * as Ollama from "./Ollama.js"
/**
 * @since 0.1.0
 */
export * as OpenAiChat from "./OpenAiChat.js"
/**
 * @since 0.1.0
 */
export * as OpenAiResponses from "./OpenAiResponses.js"
/**
 * @since 0.1.0
 */
export * as ProtocolError from "./ProtocolError.js"
/**
 * @since 0.1.0
 */
export * as Sse from "./Sse.js"
