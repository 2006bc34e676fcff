/**
 * Every dialect by its shared name, and detection from a response's content-type and path.
 *
 * @since 0.1.0
 */
import * as Kernel from "@streamguard/kernel/protocols/Dialects"
import * as Result from "effect/Result"
import { anthropic } from "./Anthropic.js"
import type { Dialect, DialectName } from "./Dialect.js"
import { gemini } from "./Gemini.js"
import { mcp } from "./Mcp.js"
import { ollama } from "./Ollama.js"
import { openaiChat } from "./OpenAiChat.js"
import { openaiResponses } from "./OpenAiResponses.js"
import { UnknownDialect } from "./ProtocolError.js"
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

/**
 * The provider dialects by name (`sse` is built per use, with options).
 *
 * @since 0.1.0
 * @category dialects
 */
export const byName: { readonly [N in Exclude<DialectName, "sse">]: Dialect<any> } = {
  openaiChat,
  openaiResponses,
  anthropic,
  ollama,
  gemini,
  mcp
}

/**
 * Which dialect a streaming response speaks, from its `content-type` and the request path:
 *
 * - `.../chat/completions` -> `openaiChat`; `.../responses` -> `openaiResponses`;
 *   `.../messages` -> `anthropic`; `:streamGenerateContent` -> `gemini`; `/api/chat`,
 *   `/api/generate` -> `ollama`; a path ending in `/mcp` -> `mcp`.
 * - The content type must fit the dialect's framing (`text/event-stream`, or NDJSON for Ollama):
 *   `application/json` on a streaming path is a non-stream body or an error body, and fails,
 *   saying so; except Gemini's, which without `alt=sse` streams one JSON array.
 * - Any other path fails: a bare `text/event-stream` could be any SSE dialect; pass one, or `sse()`.
 *
 * @since 0.1.0
 * @category detection
 */
export const detect = (
  response: { readonly contentType: string; readonly path: string }
): Result.Result<Dialect<any>, UnknownDialect> => {
  const found = Kernel.detect(response)
  return typeof found === "string"
    ? Result.succeed(byName[found])
    : Result.fail(new UnknownDialect({ contentType: found.contentType, path: found.path, reason: found.reason }))
}
