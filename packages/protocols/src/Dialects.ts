/**
 * Every dialect by its shared name, and detection from a response's content-type and path.
 *
 * @since 0.1.0
 */
export {
  /** @since 0.1.0 */
  anthropic
} from "./Anthropic.js"
export {
  /** @since 0.1.0 */
  gemini
} from "./Gemini.js"
export {
  /** @since 0.1.0 */
  mcp
} from "./Mcp.js"
export {
  /** @since 0.1.0 */
  ollama
} from "./Ollama.js"
export {
  /** @since 0.1.0 */
  openaiChat
} from "./OpenAiChat.js"
export {
  /** @since 0.1.0 */
  openaiResponses
} from "./OpenAiResponses.js"
export {
  /** @since 0.1.0 */
  sse
} from "./Sse.js"
