/**
 * The `ollama` dialect.
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
export interface OllamaChunk {
  readonly [key: string]: unknown
}

/**
 * @since 0.1.0
 * @category dialects
 */
export const ollama: Dialect<OllamaChunk> = stub("ollama", "ndjson", "application/x-ndjson")
