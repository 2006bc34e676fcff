/**
 * OpenAI Responses API streaming (`POST /v1/responses`, `stream: true`): typed SSE events
 * (`event: <type>` plus the same `type` in the JSON; OpenRouter sends only the JSON).
 *
 * | frame `type` | event |
 * | --- | --- |
 * | any `*.delta` (`response.output_text.delta`, `response.function_call_arguments.delta`, `response.reasoning_text.delta`, ...) | `Chunk` |
 * | `response.created`, `response.in_progress`, `*.added`, `*.done` and other lifecycle events | `Keepalive` (payload kept) |
 * | `keepalive` | `Keepalive`, a ping |
 * | `response.completed`, `response.incomplete`, and OpenRouter's trailing `data: [DONE]` | `Done` |
 * | `error` | `ErrorSignal` (`error.type`, else `error.code`, else `code`) |
 * | `response.failed` | `ErrorSignal` (`response.error.code`) |
 * | `: comment` | `Keepalive` |
 *
 * @since 0.1.0
 */
import * as StreamEvent from "@streamguard/core/StreamEvent"
import type { Dialect, InBandError, ResponseMeta } from "./Dialect.js"
import { decoding, isObject, jsonClassifier, stringOr, typeOf } from "./internal/decoder.js"
import { sseEncoder } from "./internal/sseWriter.js"

/**
 * One streamed Responses event, typed loosely: only what the dialect reads.
 *
 * @since 0.1.0
 * @category models
 */
export interface ResponseStreamEvent {
  readonly type: string
  readonly delta?: unknown
  readonly response?: {
    readonly id?: string
    readonly status?: string
    readonly error?: { readonly code?: string; readonly message?: string } | null
    readonly [key: string]: unknown
  }
  readonly error?: { readonly type?: string; readonly code?: string; readonly message?: string } | null
  readonly code?: string | null
  readonly message?: string
  readonly [key: string]: unknown
}

const signal = (event: ResponseStreamEvent, bytes: number): StreamEvent.StreamEvent<never> => {
  if (event.type === "response.failed") {
    const error = isObject(event.response) && isObject(event.response.error) ? event.response.error : undefined
    return StreamEvent.ErrorSignal({
      payload: event,
      errorType: stringOr(error?.code, "response_failed"),
      message: stringOr(error?.message, "response failed"),
      bytes
    })
  }
  const error = isObject(event.error) ? event.error : undefined
  return StreamEvent.ErrorSignal({
    payload: event,
    errorType: stringOr(error?.type, stringOr(error?.code, stringOr(event.code, "error"))),
    message: stringOr(error?.message, stringOr(event.message, "error")),
    bytes
  })
}

const classifier = () =>
  jsonClassifier<ResponseStreamEvent>("openaiResponses", (out, eventType, event, bytes) => {
    const type = typeof event.type === "string" ? event.type : eventType
    if (type === "error" || type === "response.failed") out.push(signal(event, bytes))
    else if (type.endsWith(".delta")) out.push(StreamEvent.Chunk({ value: event, bytes }))
    else if (type === "response.completed" || type === "response.incomplete") {
      out.push(StreamEvent.Done({ value: event, bytes }))
    } else out.push(StreamEvent.Keepalive({ value: event, bytes }))
    return undefined
  }, {
    raw: (out, _type, data, bytes) => {
      if (data !== "[DONE]") return false
      out.push(StreamEvent.Done({ bytes }))
      return true
    }
  })

const itemId = (meta: ResponseMeta | undefined) => `msg_${meta?.id ?? "streamguard"}`

const response = (meta: ResponseMeta | undefined, status: string) => ({
  id: meta?.id ?? "resp_streamguard",
  object: "response",
  created_at: 0,
  status,
  model: meta?.model ?? "streamguard",
  output: []
})

const frame = (value: ResponseStreamEvent) => StreamEvent.Keepalive({ value, bytes: 0 })

/**
 * The Responses API dialect.
 *
 * @since 0.1.0
 * @category dialects
 */
export const openaiResponses: Dialect<ResponseStreamEvent> = {
  name: "openaiResponses",
  framing: "sse",
  contentType: "text/event-stream",
  ...decoding("openaiResponses", "sse", classifier),
  // Every payload goes under its own `type`; an error without one is an `error` event.
  encode: sseEncoder({ eventOf: (payload) => typeOf(payload) ?? "error", done: "data: [DONE]\n\n" }),
  text: (event) =>
    event.type === "response.output_text.delta" && typeof event.delta === "string" && event.delta.length > 0
      ? event.delta
      : undefined,
  isPing: (event) => event._tag === "Keepalive" && (event.value === undefined || event.value.type === "keepalive"),
  textEvent: (text, meta) =>
    StreamEvent.Chunk({
      value: {
        type: "response.output_text.delta",
        item_id: itemId(meta),
        output_index: 0,
        content_index: 0,
        delta: text
      },
      bytes: 0
    }),
  opening: (meta) => [
    frame({ type: "response.created", response: response(meta, "in_progress") }),
    frame({ type: "response.in_progress", response: response(meta, "in_progress") }),
    frame({
      type: "response.output_item.added",
      output_index: 0,
      item: { id: itemId(meta), type: "message", role: "assistant", status: "in_progress", content: [] }
    }),
    frame({
      type: "response.content_part.added",
      item_id: itemId(meta),
      output_index: 0,
      content_index: 0,
      part: { type: "output_text", text: "", annotations: [] }
    })
  ],
  closing: (meta) => [
    StreamEvent.Done({
      value: {
        type: meta?.finishReason === undefined ? "response.completed" : "response.incomplete",
        response: {
          ...response(meta, meta?.finishReason === undefined ? "completed" : "incomplete"),
          ...(meta?.finishReason === undefined ? {} : { incomplete_details: { reason: meta.finishReason } })
        }
      },
      bytes: 0
    })
  ],
  ping: StreamEvent.Keepalive({ bytes: 0 }),
  errorEvent: (error: InBandError) => {
    const { code, message, type, ...extra } = error
    return StreamEvent.ErrorSignal({
      payload: { type: "error", code: code ?? type, message, param: null, error: { type, code, message, ...extra } },
      errorType: type,
      message,
      bytes: 0
    })
  }
}
