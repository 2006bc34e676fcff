/**
 * OpenAI Responses API streaming (`POST /v1/responses`, `stream: true`): typed SSE events
 * (`event: <type>` plus the same `type` in the JSON; OpenRouter sends only the JSON).
 *
 * | frame `type` | event |
 * | --- | --- |
 * | any `*.delta` (`response.output_text.delta`, `response.function_call_arguments.delta`, `response.reasoning_text.delta`, ...) | `Chunk` (reasoning: `response.reasoning_*`) |
 * | `response.created`, `response.in_progress`, `*.added`, `*.done` and other lifecycle events | `Keepalive` (payload kept) |
 * | `keepalive` | `Keepalive`, a ping |
 * | `response.completed`, `response.incomplete`, and OpenRouter's trailing `data: [DONE]` | `Done` |
 * | `error` | `ErrorSignal` (`error.type`, else `error.code`, else `code`) |
 * | `response.failed` | `ErrorSignal` (`response.error.code`) |
 * | `: comment` | `Keepalive` |
 *
 * @since 0.1.0
 */
import * as StreamEvent from "../StreamEvent.js"
import type { Dialect, InBandError, ResponseMeta } from "./Dialect.js"
import { decoderOf, isObject, jsonClassifier, stringOr, typeOf } from "./internal/decoder.js"
import { httpErrorBody } from "./internal/openaiError.js"
import { bareId, createdSeconds, idOf, inputTokens, modelOf, outputTokens, textOf } from "./internal/responseMeta.js"
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

/**
 * Whether an event is reasoning: `response.reasoning_text.delta`,
 * `response.reasoning_summary_text.delta` and the other `response.reasoning_*` events.
 *
 * @since 0.1.0
 * @category predicates
 */
export const isReasoning = (event: ResponseStreamEvent): boolean =>
  typeof event.type === "string" && event.type.startsWith("response.reasoning")

const ids = (meta: ResponseMeta | undefined) => ({ id: idOf(meta, "resp_"), itemId: `msg_${bareId(meta, "resp_")}` })

/**
 * Numbers one writer call's frames from `meta.sequence` on (no numbers without it). The counter
 * lives for one call only: the caller says where the next call starts.
 */
const numbering = (meta: ResponseMeta | undefined) => {
  let next = meta?.sequence
  return <T extends { readonly type: string }>(event: T): T =>
    next === undefined ? event : { ...event, sequence_number: next++ }
}

const part = (text: string) => ({ type: "output_text", annotations: [], logprobs: [], text })

const item = (meta: ResponseMeta | undefined, status: string) => ({
  id: ids(meta).itemId,
  type: "message",
  status,
  content: status === "in_progress" ? [] : [part(textOf(meta))],
  role: "assistant"
})

/** The response object: in progress, or ended (`completed`, `incomplete`) with its output and usage. */
const response = (meta: ResponseMeta | undefined, status: string) => {
  const ended = status !== "in_progress"
  return {
    id: ids(meta).id,
    object: "response",
    created_at: createdSeconds(meta),
    status,
    error: null,
    incomplete_details: status === "incomplete" ? { reason: meta?.finishReason } : null,
    // The request's settings echoed back, as the API does: strict clients (@effect/ai) require them.
    instructions: null,
    metadata: {},
    parallel_tool_calls: true,
    temperature: 1,
    tool_choice: "auto",
    tools: [],
    top_p: 1,
    model: modelOf(meta),
    output: ended ? [item(meta, status)] : [],
    usage: ended ?
      {
        input_tokens: inputTokens(meta),
        input_tokens_details: { cached_tokens: 0 },
        output_tokens: outputTokens(meta),
        output_tokens_details: { reasoning_tokens: 0 },
        total_tokens: inputTokens(meta) + outputTokens(meta)
      } :
      null
  }
}

/** `completed`, or `incomplete` when a finish reason says why it stopped short. */
const endStatus = (meta: ResponseMeta | undefined) => meta?.finishReason === undefined ? "completed" : "incomplete"

const at = (meta: ResponseMeta | undefined) => ({ item_id: ids(meta).itemId, output_index: 0, content_index: 0 })

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
  decoder: decoderOf("openaiResponses", "sse", classifier),
  // Every payload goes under its own `type`; an error without one is an `error` event.
  encode: sseEncoder({ eventOf: (payload) => typeOf(payload) ?? "error", done: "data: [DONE]\n\n" }),
  text: (event) =>
    event.type === "response.output_text.delta" && typeof event.delta === "string" && event.delta.length > 0
      ? event.delta
      : undefined,
  isPing: (event) => event._tag === "Keepalive" && (event.value === undefined || event.value.type === "keepalive"),
  isReasoning,
  textEvent: (text, meta) =>
    StreamEvent.Chunk({
      value: numbering(meta)({ type: "response.output_text.delta", ...at(meta), delta: text, logprobs: [] }),
      bytes: 0
    }),
  opening: (meta) => {
    const number = numbering(meta)
    return [
      frame(number({ type: "response.created", response: response(meta, "in_progress") })),
      frame(number({ type: "response.in_progress", response: response(meta, "in_progress") })),
      frame(number({ type: "response.output_item.added", output_index: 0, item: item(meta, "in_progress") })),
      frame(number({ type: "response.content_part.added", ...at(meta), part: part("") }))
    ]
  },
  closing: (meta) => {
    const number = numbering(meta)
    const status = endStatus(meta)
    return [
      frame(number({ type: "response.output_text.done", ...at(meta), text: textOf(meta), logprobs: [] })),
      frame(number({ type: "response.content_part.done", ...at(meta), part: part(textOf(meta)) })),
      frame(number({ type: "response.output_item.done", output_index: 0, item: item(meta, status) })),
      StreamEvent.Done({ value: number({ type: `response.${status}`, response: response(meta, status) }), bytes: 0 })
    ]
  },
  ping: (meta) => frame(numbering(meta)({ type: "keepalive" })),
  errorEvent: (error: InBandError, meta) => {
    const { code, message, type, ...extra } = error
    // The documented event has `code`, `message` and `param` on top; OpenAI sends an `error` object, which the SDK reads.
    return StreamEvent.ErrorSignal({
      payload: numbering(meta)({
        type: "error",
        code: code ?? type,
        message,
        param: null,
        error: { type, code: code === undefined ? type : code, message, param: null, ...extra }
      }),
      errorType: type,
      message,
      bytes: 0
    })
  },
  responseBody: (meta) => response(meta, endStatus(meta)),
  httpErrorBody
}
