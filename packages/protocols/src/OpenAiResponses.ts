/**
 * The `openaiResponses` dialect.
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
export interface ResponseStreamEvent {
  readonly [key: string]: unknown
}

/**
 * @since 0.1.0
 * @category dialects
 */
export const openaiResponses: Dialect<ResponseStreamEvent> = stub("openaiResponses", "sse", "text/event-stream")
