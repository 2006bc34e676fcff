/**
 * Every dialect by its shared name, and detection from a response's content-type and path.
 *
 * @since 0.1.0
 */
import { anthropic } from "./Anthropic.js"
import type { Dialect, DialectName } from "./Dialect.js"
import { gemini } from "./Gemini.js"
import { mcp } from "./Mcp.js"
import { ollama } from "./Ollama.js"
import { openaiChat } from "./OpenAiChat.js"
import { openaiResponses } from "./OpenAiResponses.js"
import type { UnknownDialect } from "./ProtocolError.js"
import { unknownDialect } from "./ProtocolError.js"
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
 * Which dialect a streaming response speaks, by its shared name, from its `content-type` and the
 * request path:
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
): Exclude<DialectName, "sse"> | UnknownDialect => {
  const mime = (response.contentType.split(";")[0] ?? "").trim().toLowerCase()
  const [pathname = ""] = response.path.split("?", 2)
  const fail = (reason: string) => unknownDialect(response.contentType, response.path, reason)
  let name: Exclude<DialectName, "sse"> | undefined
  if (pathname.includes(":streamGenerateContent")) {
    // Both forms: SSE with alt=sse, one JSON array without; the decoder tells them apart.
    return mime === "text/event-stream" || mime === "application/json"
      ? "gemini"
      : fail(`a gemini stream is text/event-stream or a JSON array; this body is ${mime || "untyped"}`)
  } else if (/\/chat\/completions\/?$/.test(pathname)) name = "openaiChat"
  else if (/\/responses\/?$/.test(pathname)) name = "openaiResponses"
  else if (/\/messages\/?$/.test(pathname)) name = "anthropic"
  else if (/\/api\/(chat|generate)\/?$/.test(pathname)) name = "ollama"
  else if (/\/mcp\/?$/.test(pathname)) name = "mcp"
  if (name === undefined) {
    return fail("the path matches no known dialect; pass the dialect explicitly (or use sse(...))")
  }
  const dialect = byName[name]
  const fits = dialect.framing === "sse"
    ? mime === "text/event-stream"
    : mime === "application/x-ndjson" || mime === "application/ndjson" || mime === "application/json"
  return fits
    ? name
    : fail(`a ${name} stream is ${dialect.contentType}; this body is not a stream (or is an error body)`)
}
