/**
 * Anthropic Messages streaming (`POST /v1/messages`, `stream: true`): typed SSE events.
 *
 * | frame `type` | event | why |
 * | --- | --- | --- |
 * | `content_block_delta` (`text_delta`, `thinking_delta`, `signature_delta`, `input_json_delta`, `citations_delta`), even when empty | `Chunk` (reasoning: `thinking_delta`, `signature_delta`) | the model producing |
 * | `message_start` | `Keepalive` (payload kept) | the response began; no content yet |
 * | `content_block_start` | `Keepalive` (payload kept) | opens a block; `redacted_thinking` arrives whole here but is not generation progress |
 * | `content_block_stop`, `message_delta` | `Keepalive` (payload kept) | close a block, carry `stop_reason` and usage |
 * | `ping` | `Keepalive`, a ping | proof of life only |
 * | `message_stop` | `Done` | the end |
 * | `error` (e.g. `overloaded_error`) | `ErrorSignal` (`error.type`) | in-band failure |
 * | unknown types, `: comment` | `Keepalive` | new event types must not break old readers |
 *
 * @since 0.1.0
 */
import * as StreamEvent from "../StreamEvent.js"
import type { Dialect, InBandError, ResponseMeta } from "./Dialect.js"
import { decoderOf, isObject, jsonClassifier, stringOr, typeOf } from "./internal/decoder.js"
import { idOf, inputTokens, modelOf, outputTokens, textOf } from "./internal/responseMeta.js"
import { sseEncoder, sseEvent } from "./internal/sseWriter.js"

/**
 * One streamed Messages event, typed loosely: only what the dialect reads.
 *
 * @since 0.1.0
 * @category models
 */
export interface MessageStreamEvent {
  readonly type: string
  readonly index?: number
  readonly delta?: {
    readonly type?: string
    readonly text?: string
    readonly [key: string]: unknown
  }
  readonly error?: { readonly type?: string; readonly message?: string; readonly [key: string]: unknown }
  readonly [key: string]: unknown
}

const classifier = () =>
  jsonClassifier<MessageStreamEvent>("anthropic", (out, eventType, event, bytes) => {
    const type = typeof event.type === "string" ? event.type : eventType
    switch (type) {
      case "content_block_delta":
        out.push(StreamEvent.Chunk({ value: event, bytes }))
        break
      case "message_stop":
        out.push(StreamEvent.Done({ value: event, bytes }))
        break
      case "error": {
        const error = isObject(event.error) ? event.error : undefined
        out.push(StreamEvent.ErrorSignal({
          payload: event,
          errorType: stringOr(error?.type, "error"),
          message: stringOr(error?.message, "error"),
          bytes
        }))
        break
      }
      default:
        out.push(StreamEvent.Keepalive({ value: event, bytes }))
    }
    return undefined
  })

/**
 * Whether an event is reasoning: a `thinking_delta`, or the `signature_delta` that closes a
 * thinking block.
 *
 * @since 0.1.0
 * @category predicates
 */
export const isReasoning = (event: MessageStreamEvent): boolean =>
  event.type === "content_block_delta" &&
  (event.delta?.type === "thinking_delta" || event.delta?.type === "signature_delta")

const frame = (value: MessageStreamEvent) => StreamEvent.Keepalive({ value, bytes: 0 })

const ping = frame({ type: "ping" })

const message = (meta: ResponseMeta | undefined, content: ReadonlyArray<unknown>) => ({
  id: idOf(meta, "msg_"),
  type: "message",
  role: "assistant",
  model: modelOf(meta),
  content
})

/** The error type Anthropic answers an HTTP status with. */
const httpErrorType = (status: number): string =>
  status === 429
    ? "rate_limit_error"
    : status === 529
    ? "overloaded_error"
    : status === 401
    ? "authentication_error"
    : status === 403
    ? "permission_error"
    : status === 404
    ? "not_found_error"
    : status >= 500
    ? "api_error"
    : "invalid_request_error"

/**
 * The Messages dialect.
 *
 * @since 0.1.0
 * @category dialects
 */
export const anthropic: Dialect<MessageStreamEvent> = {
  name: "anthropic",
  framing: "sse",
  contentType: "text/event-stream",
  decoder: decoderOf("anthropic", "sse", classifier),
  encode: sseEncoder({
    eventOf: (payload) => typeOf(payload) ?? "error",
    done: sseEvent("message_stop", "{\"type\":\"message_stop\"}")
  }),
  text: (event) =>
    event.type === "content_block_delta" && event.delta?.type === "text_delta" &&
      typeof event.delta.text === "string" && event.delta.text.length > 0
      ? event.delta.text
      : undefined,
  isPing: (event) => event._tag === "Keepalive" && (event.value === undefined || event.value.type === "ping"),
  isReasoning,
  textEvent: (text) =>
    StreamEvent.Chunk({
      value: { type: "content_block_delta", index: 0, delta: { type: "text_delta", text } },
      bytes: 0
    }),
  // Anthropic pings once right after opening the first block, then about every 15 s.
  opening: (meta) => [
    frame({
      type: "message_start",
      message: {
        ...message(meta, []),
        stop_reason: null,
        stop_sequence: null,
        // The first token is counted at the start already.
        usage: { input_tokens: inputTokens(meta), output_tokens: 1 }
      }
    }),
    frame({ type: "content_block_start", index: 0, content_block: { type: "text", text: "" } }),
    ping
  ],
  closing: (meta) => [
    frame({ type: "content_block_stop", index: 0 }),
    frame({
      type: "message_delta",
      delta: { stop_reason: meta?.finishReason ?? "end_turn", stop_sequence: null },
      usage: { output_tokens: outputTokens(meta) }
    }),
    StreamEvent.Done({ value: { type: "message_stop" }, bytes: 0 })
  ],
  ping: () => ping,
  errorEvent: (error: InBandError) => {
    const { code, message, type, ...extra } = error
    return StreamEvent.ErrorSignal({
      payload: { type: "error", error: { type, message, ...(code === undefined ? {} : { code }), ...extra } },
      errorType: type,
      message,
      bytes: 0
    })
  },
  responseBody: (meta) => ({
    ...message(meta, [{ type: "text", text: textOf(meta) }]),
    stop_reason: meta?.finishReason ?? "end_turn",
    stop_sequence: null,
    usage: { input_tokens: inputTokens(meta), output_tokens: outputTokens(meta) }
  }),
  httpErrorBody: (status, message) => ({ type: "error", error: { type: httpErrorType(status), message } })
}
