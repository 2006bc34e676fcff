/**
 * Anthropic Messages streaming (`POST /v1/messages`, `stream: true`): typed SSE events.
 *
 * | frame `type` | event | why |
 * | --- | --- | --- |
 * | `content_block_delta` (`text_delta`, `thinking_delta`, `signature_delta`, `input_json_delta`, `citations_delta`), even when empty | `Chunk` (reasoning: `thinking_delta`, `signature_delta`) | the model producing |
 * | `message_start` | `Keepalive` (payload kept) | the response began; no content yet |
 * | `content_block_start` | `Keepalive` (payload kept) | opens a block; `redacted_thinking` arrives whole here but is not generation progress |
 * | `content_block_stop`, `message_delta` | `Keepalive` (payload kept) | close a block, carry `stop_reason` and usage |
 * | `ping` | `Keepalive`, a ping | proof of life only |
 * | `message_stop` | `Done` | the end |
 * | `error` (e.g. `overloaded_error`) | `ErrorSignal` (`error.type`) | in-band failure |
 * | unknown types, `: comment` | `Keepalive` | new event types must not break old readers |
 *
 * @since 0.1.0
 */
import * as Kernel from "@streamguard/kernel/protocols/Anthropic"
import type { Dialect } from "./Dialect.js"
import { withDecode } from "./internal/decodeStream.js"

export type {
  /**
   * One streamed Messages event, typed loosely: only what the dialect reads.
   *
   * @since 0.1.0
   * @category models
   */
  MessageStreamEvent
} from "@streamguard/kernel/protocols/Anthropic"

export {
  /**
   * Whether an event is reasoning: a `thinking_delta`, or the `signature_delta` that closes a
   * thinking block.
   *
   * @since 0.1.0
   * @category predicates
   */
  isReasoning
} from "@streamguard/kernel/protocols/Anthropic"

/**
 * The Messages dialect.
 *
 * @since 0.1.0
 * @category dialects
 */
export const anthropic: Dialect<Kernel.MessageStreamEvent> = withDecode(Kernel.anthropic)
