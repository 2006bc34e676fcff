/**
 * Ollama streaming (`POST /api/chat` and `/api/generate`): NDJSON, one JSON object per line.
 *
 * | line | event |
 * | --- | --- |
 * | non-empty `message.content`, `message.thinking` or `message.tool_calls` (chat), or `response` / `thinking` (generate) | `Chunk` (reasoning when only `thinking` is) |
 * | other lines (an empty opener) | `Keepalive` (payload kept) |
 * | `"done": true` | `Done` (a done line that also carries content gives `Chunk`, then `Done` without payload) |
 * | a top-level `error` | `ErrorSignal` (`error.type` or `type`, else `ollama_error`) |
 *
 * NDJSON has no keepalive: a `Keepalive` without payload encodes to nothing.
 *
 * @since 0.1.0
 */
import * as StreamEvent from "../StreamEvent.js"
import type { Dialect, InBandError, ResponseMeta } from "./Dialect.js"
import { decoderOf, isObject, jsonClassifier, nonEmpty, stringOr } from "./internal/decoder.js"
import { inputTokens, modelOf, nowMillis, outputTokens, textOf } from "./internal/responseMeta.js"

/**
 * One streamed line, typed loosely: only what the dialect reads.
 *
 * @since 0.1.0
 * @category models
 */
export interface OllamaChunk {
  readonly model?: string
  readonly created_at?: string
  readonly message?: {
    readonly role?: string
    readonly content?: string
    readonly thinking?: string
    readonly tool_calls?: ReadonlyArray<unknown>
  }
  readonly response?: string
  readonly thinking?: string
  readonly done?: boolean
  readonly done_reason?: string
  readonly error?: unknown
  readonly [key: string]: unknown
}

/**
 * Whether a line carries content (chat or generate).
 *
 * @since 0.1.0
 * @category predicates
 */
export const hasContent = (chunk: OllamaChunk): boolean => {
  const message = chunk.message
  if (isObject(message)) {
    if (nonEmpty(message.content) || nonEmpty(message.thinking)) return true
    if (Array.isArray(message.tool_calls) && message.tool_calls.length > 0) return true
  }
  return nonEmpty(chunk.response) || nonEmpty(chunk.thinking)
}

/**
 * Whether a line is reasoning only: non-empty `thinking` (chat or generate) and no answer
 * content (`content`, `tool_calls`, `response`).
 *
 * @since 0.1.0
 * @category predicates
 */
export const isReasoning = (chunk: OllamaChunk): boolean => {
  const message = chunk.message
  if (nonEmpty(chunk.response)) return false
  if (isObject(message)) {
    if (nonEmpty(message.content) || (Array.isArray(message.tool_calls) && message.tool_calls.length > 0)) return false
    if (nonEmpty(message.thinking)) return true
  }
  return nonEmpty(chunk.thinking)
}

const classifier = () =>
  jsonClassifier<OllamaChunk>("ollama", (out, _type, chunk, bytes) => {
    if (chunk.error !== undefined && chunk.error !== null) {
      const error = chunk.error
      out.push(StreamEvent.ErrorSignal({
        payload: chunk,
        errorType: isObject(error)
          ? stringOr(error.type, stringOr(error.code, "ollama_error"))
          : stringOr(chunk.type, "ollama_error"),
        message: isObject(error) ? stringOr(error.message, "error") : stringOr(error, "error"),
        bytes
      }))
    } else if (chunk.done === true) {
      if (hasContent(chunk)) {
        out.push(StreamEvent.Chunk({ value: chunk, bytes }))
        out.push(StreamEvent.Done({ bytes: 0 }))
      } else out.push(StreamEvent.Done({ value: chunk, bytes }))
    } else if (hasContent(chunk)) out.push(StreamEvent.Chunk({ value: chunk, bytes }))
    else out.push(StreamEvent.Keepalive({ value: chunk, bytes }))
    return undefined
  })

const base = (meta: ResponseMeta | undefined) => ({
  model: modelOf(meta),
  created_at: new Date(nowMillis(meta)).toISOString()
})

/** The `done` line: the last content, why it stopped, the counts, and the durations in nanoseconds. */
const final = (meta: ResponseMeta | undefined, content: string) => {
  const total = Math.max(0, nowMillis(meta) - (meta?.created ?? 0)) * 1_000_000
  return {
    ...base(meta),
    message: { role: "assistant", content },
    done_reason: meta?.finishReason ?? "stop",
    done: true,
    total_duration: total,
    load_duration: 0,
    prompt_eval_count: inputTokens(meta),
    prompt_eval_duration: 0,
    eval_count: outputTokens(meta),
    eval_duration: total
  }
}

/**
 * The Ollama dialect.
 *
 * @since 0.1.0
 * @category dialects
 */
export const ollama: Dialect<OllamaChunk> = {
  name: "ollama",
  framing: "ndjson",
  contentType: "application/x-ndjson",
  decoder: decoderOf("ollama", "ndjson", classifier),
  encode: (event) => {
    switch (event._tag) {
      case "ErrorSignal":
        return JSON.stringify(event.payload) + "\n"
      case "Done":
      case "Keepalive":
        // A Done without payload follows a done line that carried content: it is already written.
        if (event.value === undefined) return ""
    }
    return JSON.stringify(event.value) + "\n"
  },
  text: (chunk) => {
    const content = isObject(chunk.message) ? chunk.message.content : chunk.response
    return typeof content === "string" && content.length > 0 ? content : undefined
  },
  isPing: () => false,
  isReasoning,
  textEvent: (text, meta) =>
    StreamEvent.Chunk({
      value: { ...base(meta), message: { role: "assistant", content: text }, done: false },
      bytes: 0
    }),
  opening: () => [],
  closing: (meta) => [StreamEvent.Done({ value: final(meta, ""), bytes: 0 })],
  // NDJSON has no keepalive: an Ollama stream is silent while the model thinks.
  ping: () => StreamEvent.Keepalive({ bytes: 0 }),
  errorEvent: (error: InBandError) => {
    const { message, type, ...extra } = error
    return StreamEvent.ErrorSignal({ payload: { error: message, type, ...extra }, errorType: type, message, bytes: 0 })
  },
  responseBody: (meta) => final(meta, textOf(meta)),
  httpErrorBody: (_status, message) => ({ error: message })
}
