/**
 * Generic SSE: any server-sent event stream, with caller-given predicates for done and error.
 *
 * @since 0.1.0
 */
import type { Dialect } from "./Dialect.js"
import { stub } from "./internal/stub.js"

/**
 * One dispatched SSE event.
 *
 * @since 0.1.0
 * @category models
 */
export interface SseMessage {
  /** The event type; `message` when the server sent none. */
  readonly event: string
  /** The data lines, joined by `\n`. */
  readonly data: string
  readonly id?: string | undefined
}

/**
 * @since 0.1.0
 * @category models
 */
export interface SseOptions {
  /** Whether a message is the done signal. Default: data `[DONE]`. */
  readonly isDone?: ((message: SseMessage) => boolean) | undefined
  /** The error a message signals, if any. Default: events named `error`. */
  readonly error?:
    | ((message: SseMessage) => { readonly errorType: string; readonly message: string } | undefined)
    | undefined
}

/**
 * @since 0.1.0
 * @category dialects
 */
export const sse = (_options: SseOptions = {}): Dialect<SseMessage> => stub("sse", "sse", "text/event-stream")
