/**
 * OpenAI Responses API streaming (`POST /v1/responses`, `stream: true`): typed SSE events
 * (`event: <type>` plus the same `type` in the JSON; OpenRouter sends only the JSON).
 *
 * | frame `type` | event |
 * | --- | --- |
 * | any `*.delta` (`response.output_text.delta`, `response.function_call_arguments.delta`, `response.reasoning_text.delta`, ...) | `Chunk` (reasoning: `response.reasoning_*`) |
 * | `response.created`, `response.in_progress`, `*.added`, `*.done` and other lifecycle events | `Keepalive` (payload kept) |
 * | `keepalive` | `Keepalive`, a ping |
 * | `response.completed`, `response.incomplete`, and OpenRouter's trailing `data: [DONE]` | `Done` |
 * | `error` | `ErrorSignal` (`error.type`, else `error.code`, else `code`) |
 * | `response.failed` | `ErrorSignal` (`response.error.code`) |
 * | `: comment` | `Keepalive` |
 *
 * @since 0.1.0
 */
import * as Kernel from "@streamguard/kernel/protocols/OpenAiResponses"
import type { Dialect } from "./Dialect.js"
import { withDecode } from "./internal/decodeStream.js"

export type {
  /**
   * One streamed Responses event, typed loosely: only what the dialect reads.
   *
   * @since 0.1.0
   * @category models
   */
  ResponseStreamEvent
} from "@streamguard/kernel/protocols/OpenAiResponses"

export {
  /**
   * Whether an event is reasoning: `response.reasoning_text.delta`,
   * `response.reasoning_summary_text.delta` and the other `response.reasoning_*` events.
   *
   * @since 0.1.0
   * @category predicates
   */
  isReasoning
} from "@streamguard/kernel/protocols/OpenAiResponses"

/**
 * The Responses API dialect.
 *
 * @since 0.1.0
 * @category dialects
 */
export const openaiResponses: Dialect<Kernel.ResponseStreamEvent> = withDecode(Kernel.openaiResponses)
