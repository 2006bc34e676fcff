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
import * as StreamEvent from "../StreamEvent.js"
import type { DecodeOptions, Dialect, InBandError, ResponseMeta, StreamKind, StreamRequest } from "./Dialect.js"
import { decoderOf, isObject, jsonClassifier, parse, stringOr } from "./internal/decoder.js"
import { outputTokens, textOf } from "./internal/responseMeta.js"
import { keepAliveComment, sseEncoder } from "./internal/sseWriter.js"

/**
 * One JSON-RPC 2.0 message, typed loosely.
 *
 * @since 0.1.0
 * @category models
 */
export interface JsonRpcMessage {
  readonly jsonrpc?: string
  readonly id?: string | number | null
  readonly method?: string
  readonly params?: { readonly [key: string]: unknown }
  readonly result?: unknown
  readonly error?: { readonly code?: number; readonly message?: string; readonly data?: unknown }
  readonly [key: string]: unknown
}

const progressMethod = "notifications/progress"

const listenMethod = "subscriptions/listen"

const classifier = (options: DecodeOptions | undefined) => {
  const requestId = options?.requestId
  const listen = options?.listen === true
  return jsonClassifier<JsonRpcMessage>("mcp", (out, _type, message, bytes) => {
    if (typeof message.method === "string") {
      // A notification has no id; a request from the server (`ping`) is never content.
      const notification = message.id === undefined || message.id === null
      out.push(
        notification && (listen || message.method === progressMethod)
          ? StreamEvent.Chunk({ value: message, bytes })
          : StreamEvent.Keepalive({ value: message, bytes })
      )
    } else if (requestId !== undefined && message.id !== requestId) {
      out.push(StreamEvent.Keepalive({ value: message, bytes }))
    } else if (isObject(message.error)) {
      out.push(StreamEvent.ErrorSignal({
        payload: message,
        errorType: stringOr(message.error.code, "error"),
        message: stringOr(message.error.message, "error"),
        bytes
      }))
    } else if ("result" in message) out.push(StreamEvent.Done({ value: message, bytes }))
    else out.push(StreamEvent.Keepalive({ value: message, bytes }))
    return undefined
  }, { raw: primingEvent })
}

/**
 * An event with empty data carries no message: the priming event a 2025-11-25 server opens a
 * stream with (an `id` to resume from, empty data) is a keepalive, a ping like a comment.
 */
const primingEvent = (
  out: Array<StreamEvent.StreamEvent<JsonRpcMessage>>,
  _type: string,
  data: string,
  bytes: number
): boolean => {
  if (data !== "") return false
  out.push(StreamEvent.Keepalive({ bytes }))
  return true
}

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
export const listenStream: StreamKind = {
  name: listenMethod,
  unbounded: ["progress", "total", "minRate"],
  decode: { listen: true }
}

const textDecoder = new TextDecoder()

/**
 * The kind of stream an MCP request opens: `listenStream` for `subscriptions/listen`, told by the
 * `Mcp-Method` header (which 2026-07-28 requires on every request), else by the JSON-RPC `method`
 * of the body; `undefined` for any other request.
 *
 * @since 0.1.0
 * @category predicates
 */
export const streamKind = (request: StreamRequest): StreamKind | undefined => {
  const header = request.headers["mcp-method"]
  if (header !== undefined) return header.trim() === listenMethod ? listenStream : undefined
  const body = request.body
  if (body === undefined) return undefined
  const text = typeof body === "string" ? body : textDecoder.decode(body)
  // Parsed only when it can be a listen request: a tool call's arguments may be large.
  if (!text.includes(listenMethod)) return undefined
  const message = parse(text)
  return isObject(message) && message.method === listenMethod ? listenStream : undefined
}

/**
 * A log notification (`notifications/message`) carrying `data`: what MCP servers send unasked,
 * and so the way to send text to a client that did not ask for progress. It decodes as a
 * `Keepalive`: a log proves the server alive, not that the tool advances.
 *
 * @since 0.1.0
 * @category constructors
 */
export const logMessage = (data: unknown, level: string = "info"): JsonRpcMessage => ({
  jsonrpc: "2.0",
  method: "notifications/message",
  params: { level, data }
})

const result = (meta: ResponseMeta | undefined): JsonRpcMessage => ({
  jsonrpc: "2.0",
  id: meta?.requestId === undefined ? 1 : meta.requestId,
  result: { content: [{ type: "text", text: textOf(meta) }], isError: false }
})

/**
 * The MCP Streamable HTTP dialect. Pass `requestId` in the decode options to end only on the
 * response to that id.
 *
 * @since 0.1.0
 * @category dialects
 */
export const mcp: Dialect<JsonRpcMessage> = {
  name: "mcp",
  framing: "sse",
  contentType: "text/event-stream",
  decoder: decoderOf("mcp", "sse", classifier),
  encode: sseEncoder({ eventOf: () => "message", done: keepAliveComment }),
  text: (message) =>
    message.method === progressMethod && typeof message.params?.message === "string"
      ? message.params.message
      : undefined,
  // Liveness in MCP's own words: comments, server requests (`ping`) and notifications other than progress.
  isPing: (event) =>
    event._tag === "Keepalive" && (event.value === undefined || typeof event.value.method === "string"),
  // Progress is a tool's, not a model's thinking.
  isReasoning: () => false,
  // Progress counts the tokens so far: MCP asks that it grow with each notification.
  textEvent: (text, meta) =>
    StreamEvent.Chunk({
      value: {
        jsonrpc: "2.0",
        method: progressMethod,
        params: {
          progressToken: meta?.progressToken ?? meta?.requestId ?? 1,
          progress: outputTokens(meta),
          message: text
        }
      },
      bytes: 0
    }),
  opening: () => [],
  closing: (meta) => [StreamEvent.Done({ value: result(meta), bytes: 0 })],
  ping: () => StreamEvent.Keepalive({ bytes: 0 }),
  errorEvent: (error: InBandError, meta) => {
    const { code, message, type, ...extra } = error
    const numeric = typeof code === "number" ? code : -32603
    const id = meta?.requestId ?? extra.id
    // `data` keeps what the numeric code cannot say: a type of its own, the extra fields.
    const data = type === String(numeric) && Object.keys(extra).length === 0
      ? {}
      : { data: { type, ...(code === undefined ? {} : { code }), ...extra } }
    return StreamEvent.ErrorSignal({
      payload: {
        jsonrpc: "2.0",
        id: typeof id === "string" || typeof id === "number" ? id : null,
        error: { code: numeric, message, ...data }
      },
      errorType: String(numeric),
      message,
      bytes: 0
    })
  },
  responseBody: result,
  // A refused request is refused params (-32602); anything else is the server's own failure.
  httpErrorBody: (status, message, meta) => ({
    jsonrpc: "2.0",
    id: meta?.requestId ?? null,
    error: { code: status === 400 ? -32602 : -32603, message }
  }),
  streamKind
}
