/**
 * The `mcp` dialect.
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
export interface JsonRpcMessage {
  readonly [key: string]: unknown
}

/**
 * @since 0.1.0
 * @category dialects
 */
export const mcp: Dialect<JsonRpcMessage> = stub("mcp", "sse", "text/event-stream")
