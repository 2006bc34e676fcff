/**
 * OpenAI Chat Completions streaming (`POST /v1/chat/completions`, `stream: true`), as sent by
 * OpenAI and the compatible servers (Azure, OpenRouter, Groq, vLLM, ...).
 *
 * | frame | event |
 * | --- | --- |
 * | `data: {...}` with a non-empty `content`, `reasoning`, `reasoning_content`, `refusal` or `tool_calls` delta | `Chunk` (reasoning when only `reasoning`/`reasoning_content` are) |
 * | other chunks: the role-only opener, finish-reason-only, `choices: []` usage, Azure prompt filter | `Keepalive` (payload kept) |
 * | `data: [DONE]` | `Done` |
 * | `event: error`, or any chunk with a top-level `error` | `ErrorSignal` (`error.type`, else `String(error.code)`) |
 * | `: comment` | `Keepalive` |
 *
 * @since 0.1.0
 */
import * as Kernel from "@streamguard/kernel/protocols/OpenAiChat"
import type { Dialect } from "./Dialect.js"
import { withDecode } from "./internal/decodeStream.js"

export type {
  /**
   * @since 0.1.0
   * @category models
   */
  ChatChoice,
  /**
   * One streamed chunk (`chat.completion.chunk`), typed loosely: only what the dialect reads.
   *
   * @since 0.1.0
   * @category models
   */
  ChatCompletionChunk
} from "@streamguard/kernel/protocols/OpenAiChat"

export {
  /**
   * Whether a chunk carries content: some delta has non-empty text (content, reasoning, refusal)
   * or tool calls.
   *
   * @since 0.1.0
   * @category predicates
   */
  hasContent,
  /**
   * Whether a chunk is reasoning only: some delta has non-empty `reasoning` or `reasoning_content`,
   * and none has answer content (`content`, `refusal`, `tool_calls`).
   *
   * @since 0.1.0
   * @category predicates
   */
  isReasoning
} from "@streamguard/kernel/protocols/OpenAiChat"

/**
 * The Chat Completions dialect.
 *
 * @since 0.1.0
 * @category dialects
 */
export const openaiChat: Dialect<Kernel.ChatCompletionChunk> = withDecode(Kernel.openaiChat)
