/**
 * Ollama streaming (`POST /api/chat` and `/api/generate`): NDJSON, one JSON object per line.
 *
 * | line | event |
 * | --- | --- |
 * | non-empty `message.content`, `message.thinking` or `message.tool_calls` (chat), or `response` / `thinking` (generate) | `Chunk` (reasoning when only `thinking` is) |
 * | other lines (an empty opener) | `Keepalive` (payload kept) |
 * | `"done": true` | `Done` (a done line that also carries content gives `Chunk`, then `Done` without payload) |
 * | a top-level `error` | `ErrorSignal` (`error.type` or `type`, else `ollama_error`) |
 *
 * NDJSON has no keepalive: a `Keepalive` without payload encodes to nothing.
 *
 * @since 0.1.0
 */
import * as Kernel from "@streamguard/kernel/protocols/Ollama"
import type { Dialect } from "./Dialect.js"
import { withDecode } from "./internal/decodeStream.js"

export type {
  /**
   * One streamed line, typed loosely: only what the dialect reads.
   *
   * @since 0.1.0
   * @category models
   */
  OllamaChunk
} from "@streamguard/kernel/protocols/Ollama"

export {
  /**
   * Whether a line carries content (chat or generate).
   *
   * @since 0.1.0
   * @category predicates
   */
  hasContent,
  /**
   * Whether a line is reasoning only: non-empty `thinking` (chat or generate) and no answer
   * content (`content`, `tool_calls`, `response`).
   *
   * @since 0.1.0
   * @category predicates
   */
  isReasoning
} from "@streamguard/kernel/protocols/Ollama"

/**
 * The Ollama dialect.
 *
 * @since 0.1.0
 * @category dialects
 */
export const ollama: Dialect<Kernel.OllamaChunk> = withDecode(Kernel.ollama)
