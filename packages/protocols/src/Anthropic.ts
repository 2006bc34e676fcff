/**
 * The `anthropic` dialect.
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
export interface MessageStreamEvent {
  readonly [key: string]: unknown
}

/**
 * @since 0.1.0
 * @category dialects
 */
export const anthropic: Dialect<MessageStreamEvent> = stub("anthropic", "sse", "text/event-stream")
