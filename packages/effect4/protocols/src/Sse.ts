/**
 * Generic SSE: any server-sent event stream, with caller-given predicates for done and error.
 * Each dispatched event is one `SseMessage`; data is not parsed.
 *
 * @since 0.1.0
 */
import * as Kernel from "@streamguard/kernel/protocols/Sse"
import type { Dialect } from "./Dialect.js"
import { withDecode } from "./internal/decodeStream.js"

export type {
  /**
   * What an error event says.
   *
   * @since 0.1.0
   * @category models
   */
  SignalledError,
  /**
   * One dispatched SSE event.
   *
   * @since 0.1.0
   * @category models
   */
  SseMessage,
  /**
   * @since 0.1.0
   * @category models
   */
  SseOptions
} from "@streamguard/kernel/protocols/Sse"

export {
  /**
   * The default error rule: an `error` event, typed by the JSON data's `error.type` (or `type`)
   * when there is one.
   *
   * @since 0.1.0
   * @category predicates
   */
  defaultError
} from "@streamguard/kernel/protocols/Sse"

/**
 * A generic SSE dialect: every event is content unless `isDone`, `error` or `isKeepalive` says
 * otherwise. Comments are keepalives.
 *
 * @since 0.1.0
 * @category dialects
 */
export const sse = (options: Kernel.SseOptions = {}): Dialect<Kernel.SseMessage> => withDecode(Kernel.sse(options))
