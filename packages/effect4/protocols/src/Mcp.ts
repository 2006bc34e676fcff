/**
 * MCP Streamable HTTP: the `text/event-stream` answer to a JSON-RPC POST. Servers send
 * `event: message` with one JSON-RPC message per event.
 *
 * | message | event |
 * | --- | --- |
 * | `notifications/progress` (a notification: `method`, no `id`) | `Chunk` |
 * | any other notification (`notifications/message` logs, list changes, ...) | `Keepalive` (payload kept) |
 * | a request from the server (`method` and `id`, e.g. `ping`, `sampling/createMessage`) | `Keepalive` (payload kept) |
 * | the response to our request with `result` (a tool's `isError: true` included) | `Done` |
 * | the response to our request with `error` | `ErrorSignal` (`String(error.code)`) |
 * | a response to another id (when `requestId` is given) | `Keepalive` (payload kept) |
 * | on a `subscriptions/listen` stream (`listen`): every notification (the acknowledgement, each change) | `Chunk` |
 * | `: comment` | `Keepalive` |
 * | an event with empty data (the priming event of 2025-11-25: `id: <id>` then `data: `) | `Keepalive` |
 *
 * Only `notifications/progress` is progress: a stuck tool that keeps logging proves the server
 * alive, not that the tool advances, so its logs must not reset `progress`. This is the MCP SDKs'
 * own rule (`resetTimeoutOnProgress` resets on progress notifications only). JSON-RPC batches
 * (arrays, dropped from MCP in 2025-06) are rejected.
 *
 * @since 0.1.0
 */
import * as Kernel from "@streamguard/kernel/protocols/Mcp"
import type { Dialect } from "./Dialect.js"
import { withDecode } from "./internal/decodeStream.js"

export type {
  /**
   * One JSON-RPC 2.0 message, typed loosely.
   *
   * @since 0.1.0
   * @category models
   */
  JsonRpcMessage
} from "@streamguard/kernel/protocols/Mcp"

export {
  /**
   * A `subscriptions/listen` stream (2026-07-28): the server's change notifications on a stream that
   * stays open until the client closes it, which cancels the subscription. Long-lived by design,
   * with hours between notifications, so it is bounded by liveness alone (`chunk`, which the
   * server's keepalive comments reset): `progress`, `total` and `minRate` do not apply. Its content
   * is every notification: the acknowledgement that opens it (the honoured filter) and each change
   * (`notifications/tools/list_changed`, `notifications/resources/updated`, ...). Requests from the
   * server stay keepalives; the result to the listen request (the server closing it) is `Done`.
   *
   * @since 0.1.0
   * @category constants
   */
  listenStream,
  /**
   * A log notification (`notifications/message`) carrying `data`: what MCP servers send unasked,
   * and so the way to send text to a client that did not ask for progress. It decodes as a
   * `Keepalive`: a log proves the server alive, not that the tool advances.
   *
   * @since 0.1.0
   * @category constructors
   */
  logMessage,
  /**
   * The kind of stream an MCP request opens: `listenStream` for `subscriptions/listen`, told by the
   * `Mcp-Method` header (which 2026-07-28 requires on every request), else by the JSON-RPC `method`
   * of the body; `undefined` for any other request.
   *
   * @since 0.1.0
   * @category predicates
   */
  streamKind
} from "@streamguard/kernel/protocols/Mcp"

/**
 * The MCP Streamable HTTP dialect. Pass `requestId` in the decode options to end only on the
 * response to that id.
 *
 * @since 0.1.0
 * @category dialects
 */
export const mcp: Dialect<Kernel.JsonRpcMessage> = withDecode(Kernel.mcp)
