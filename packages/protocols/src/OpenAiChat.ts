/**
 * The `openaiChat` dialect.
 *
 * @since 0.1.0
 */
import type { Dialect } from "./Dialect.js"
import { stub } from "./internal/stub.js"

/**
 * One frame's parsed JSON.
 *
 * @since 0.1.0
 * @category models
 */
export interface ChatCompletionChunk {
  readonly [key: string]: unknown
}

/**
 * @since 0.1.0
 * @category dialects
 */
export const openaiChat: Dialect<ChatCompletionChunk> = stub("openaiChat", "sse", "text/event-stream")
