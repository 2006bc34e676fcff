/**
 * Google Gemini streaming (`:streamGenerateContent?alt=sse`): `data: {...}` events with CRLF
 * line endings and no done sentinel.
 *
 * | frame | event |
 * | --- | --- |
 * | a candidate part with non-empty `text` (thought summaries included) or `functionCall`, `functionResponse`, `executableCode`, `codeExecutionResult`, `inlineData`, `fileData` | `Chunk` (reasoning when every such part is a `thought`) |
 * | other frames (empty text, `thoughtSignature` only, usage only) | `Keepalive` (payload kept) |
 * | `finishReason` `STOP`, `MAX_TOKENS`, ... | no event of its own: `Done` at EOF |
 * | `finishReason` `SAFETY`, `RECITATION`, `BLOCKLIST`, `PROHIBITED_CONTENT`, `SPII`, `IMAGE_SAFETY`, `MALFORMED_FUNCTION_CALL`, `LANGUAGE`; `promptFeedback.blockReason` | `ErrorSignal` (the reason) |
 * | a top-level `error` | `ErrorSignal` (`error.status`, else `String(error.code)`) |
 *
 * Done is implicit: the stream is done when it ends cleanly after a frame with a
 * `finishReason`, so decoding emits `Done` (no payload, 0 bytes) at EOF; EOF before any
 * `finishReason` is a truncation. Without `alt=sse` the endpoint streams one JSON array
 * (`[{...}\n,\r\n{...}\n]`): the decoder reads it too, element by element as each completes (each
 * bounded by `maxEventBytes`, never the whole array held), telling the forms apart by the body's
 * first byte.
 *
 * @since 0.1.0
 */
import * as StreamEvent from "../StreamEvent.js"
import type { Dialect, InBandError, ResponseMeta } from "./Dialect.js"
import { decoderOf, isObject, jsonClassifier, nonEmpty, stringOr } from "./internal/decoder.js"
import { inputTokens, modelOf, outputTokens, textOf } from "./internal/responseMeta.js"
import { sseEncoder } from "./internal/sseWriter.js"

/**
 * @since 0.1.0
 * @category models
 */
export interface Part {
  readonly text?: string
  readonly thought?: boolean
  readonly thoughtSignature?: string
  readonly functionCall?: unknown
  readonly [key: string]: unknown
}

/**
 * One streamed `GenerateContentResponse`, typed loosely: only what the dialect reads.
 *
 * @since 0.1.0
 * @category models
 */
export interface GenerateContentResponse {
  readonly candidates?: ReadonlyArray<{
    readonly content?: { readonly role?: string; readonly parts?: ReadonlyArray<Part> }
    readonly finishReason?: string
    readonly index?: number
    readonly [key: string]: unknown
  }>
  readonly promptFeedback?: { readonly blockReason?: string; readonly [key: string]: unknown }
  readonly usageMetadata?: unknown
  readonly modelVersion?: string
  readonly error?: { readonly code?: number; readonly message?: string; readonly status?: string }
  readonly [key: string]: unknown
}

/**
 * The finish reasons that mean the answer was blocked or broken, not finished.
 *
 * @since 0.1.0
 * @category constants
 */
export const blockingFinishReasons: ReadonlySet<string> = new Set([
  "SAFETY",
  "RECITATION",
  "LANGUAGE",
  "BLOCKLIST",
  "PROHIBITED_CONTENT",
  "SPII",
  "IMAGE_SAFETY",
  "MALFORMED_FUNCTION_CALL"
])

const isContentPart = (part: Part): boolean =>
  nonEmpty(part.text) || part.functionCall !== undefined || part.functionResponse !== undefined ||
  part.executableCode !== undefined || part.codeExecutionResult !== undefined || part.inlineData !== undefined ||
  part.fileData !== undefined

/**
 * Whether a frame carries content.
 *
 * @since 0.1.0
 * @category predicates
 */
export const hasContent = (response: GenerateContentResponse): boolean => {
  const candidates = response.candidates
  if (!Array.isArray(candidates)) return false
  for (const candidate of candidates) {
    const parts = candidate?.content?.parts
    if (!Array.isArray(parts)) continue
    for (const part of parts) if (isObject(part) && isContentPart(part)) return true
  }
  return false
}

/**
 * Whether a frame is reasoning: its content parts are all thought summaries (`thought: true`).
 *
 * @since 0.1.0
 * @category predicates
 */
export const isReasoning = (response: GenerateContentResponse): boolean => {
  const candidates = response.candidates
  if (!Array.isArray(candidates)) return false
  let reasoning = false
  for (const candidate of candidates) {
    const parts = candidate?.content?.parts
    if (!Array.isArray(parts)) continue
    for (const part of parts) {
      if (!isObject(part) || !isContentPart(part)) continue
      if (part.thought !== true) return false
      reasoning = true
    }
  }
  return reasoning
}

const classifier = () => {
  let finished = false
  return jsonClassifier<GenerateContentResponse>("gemini", (out, _type, response, bytes) => {
    if (isObject(response.error)) {
      const error = response.error
      out.push(StreamEvent.ErrorSignal({
        payload: response,
        errorType: stringOr(error.status, stringOr(error.code, "error")),
        message: stringOr(error.message, "error"),
        bytes
      }))
      return undefined
    }
    const blockReason = response.promptFeedback?.blockReason
    if (typeof blockReason === "string") {
      out.push(
        StreamEvent.ErrorSignal({
          payload: response,
          errorType: blockReason,
          message: `prompt blocked: ${blockReason}`,
          bytes
        })
      )
      return undefined
    }
    if (Array.isArray(response.candidates)) {
      for (const candidate of response.candidates) {
        const reason = candidate?.finishReason
        if (typeof reason !== "string") continue
        if (blockingFinishReasons.has(reason)) {
          out.push(
            StreamEvent.ErrorSignal({
              payload: response,
              errorType: reason,
              message: `generation stopped: ${reason}`,
              bytes
            })
          )
          return undefined
        }
        finished = true
      }
    }
    out.push(
      hasContent(response)
        ? StreamEvent.Chunk({ value: response, bytes })
        : StreamEvent.Keepalive({ value: response, bytes })
    )
    return undefined
  }, {
    end: (out) => {
      if (finished) out.push(StreamEvent.Done({ bytes: 0 }))
    }
  })
}

const candidate = (parts: ReadonlyArray<Part>, finishReason?: string) => ({
  content: { role: "model", parts },
  ...(finishReason === undefined ? {} : { finishReason }),
  index: 0
})

/** One response frame: the candidate, the token counts so far, the model. */
const response = (meta: ResponseMeta | undefined, parts: ReadonlyArray<Part>, finishReason?: string) => ({
  candidates: [candidate(parts, finishReason)],
  usageMetadata: {
    promptTokenCount: inputTokens(meta),
    candidatesTokenCount: outputTokens(meta),
    totalTokenCount: inputTokens(meta) + outputTokens(meta)
  },
  modelVersion: modelOf(meta),
  ...(meta?.id === undefined ? {} : { responseId: meta.id })
})

/** Google's status names for the HTTP statuses an API answers with. */
const statusNames: Record<number, string> = {
  400: "INVALID_ARGUMENT",
  401: "UNAUTHENTICATED",
  403: "PERMISSION_DENIED",
  404: "NOT_FOUND",
  429: "RESOURCE_EXHAUSTED",
  499: "CANCELLED",
  500: "INTERNAL",
  503: "UNAVAILABLE",
  504: "DEADLINE_EXCEEDED"
}

/**
 * The Gemini dialect (SSE form, `alt=sse`).
 *
 * @since 0.1.0
 * @category dialects
 */
export const gemini: Dialect<GenerateContentResponse> = {
  name: "gemini",
  framing: "sse",
  contentType: "text/event-stream",
  decoder: decoderOf("gemini", "sse-or-json-array", classifier),
  // Done is the clean end of the body after a finishReason: nothing to write.
  encode: sseEncoder({ eventOf: () => undefined, done: "" }),
  text: (response) => {
    const parts = response.candidates?.[0]?.content?.parts
    if (!Array.isArray(parts)) return undefined
    let text = ""
    for (const part of parts) if (typeof part.text === "string" && part.thought !== true) text += part.text
    return text.length > 0 ? text : undefined
  },
  isPing: (event) => event._tag === "Keepalive" && event.value === undefined,
  isReasoning,
  textEvent: (text, meta) => StreamEvent.Chunk({ value: response(meta, [{ text }]), bytes: 0 }),
  opening: () => [],
  closing: (meta) => [
    StreamEvent.Keepalive({ value: response(meta, [{ text: "" }], meta?.finishReason ?? "STOP"), bytes: 0 }),
    StreamEvent.Done({ bytes: 0 })
  ],
  ping: () => StreamEvent.Keepalive({ bytes: 0 }),
  errorEvent: (error: InBandError) => {
    const { code, message, type, ...extra } = error
    return StreamEvent.ErrorSignal({
      payload: { error: { code: typeof code === "number" ? code : 500, message, status: type, ...extra } },
      errorType: type,
      message,
      bytes: 0
    })
  },
  responseBody: (meta) => response(meta, [{ text: textOf(meta) }], meta?.finishReason ?? "STOP"),
  httpErrorBody: (status, message) => ({
    error: {
      code: status,
      message,
      status: statusNames[status] ?? (status >= 500 ? "INTERNAL" : "FAILED_PRECONDITION")
    }
  })
}

/**
 * The JSON-array form of a stream (`streamGenerateContent` without `alt=sse`), as Google writes it:
 * `element(event, first)` is what goes on the wire for one event (the `[` before the first, a
 * `,` line between), `close` ends the array. Keepalives without a payload and `Done` write nothing:
 * the array form has no pings and ends with `close`.
 *
 * @since 0.1.0
 * @category encoding
 */
export const jsonArray = {
  element: (event: StreamEvent.StreamEvent<GenerateContentResponse>, first: boolean): string => {
    const value = event._tag === "ErrorSignal" ? event.payload : event._tag === "Done" ? undefined : event.value
    if (value === undefined) return ""
    return `${first ? "[" : "\n,\r\n"}${JSON.stringify(value)}`
  },
  close: "\n]"
} as const
