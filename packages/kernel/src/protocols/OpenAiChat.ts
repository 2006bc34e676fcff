/**
 * OpenAI Chat Completions streaming (`POST /v1/chat/completions`, `stream: true`), as sent by
 * OpenAI and the compatible servers (Azure, OpenRouter, Groq, vLLM, ...).
 *
 * | frame | event |
 * | --- | --- |
 * | `data: {...}` with a non-empty `content`, `reasoning`, `reasoning_content`, `refusal` or `tool_calls` delta | `Chunk` (reasoning when only `reasoning`/`reasoning_content` are) |
 * | other chunks: the role-only opener, finish-reason-only, `choices: []` usage, Azure prompt filter | `Keepalive` (payload kept) |
 * | `data: [DONE]` | `Done` |
 * | `event: error`, or any chunk with a top-level `error` | `ErrorSignal` (`error.type`, else `String(error.code)`) |
 * | `: comment` | `Keepalive` |
 *
 * @since 0.1.0
 */
import * as StreamEvent from "../StreamEvent.js"
import type { Dialect, InBandError, ResponseMeta } from "./Dialect.js"
import { decoderOf, invalid, isObject, jsonClassifier, nonEmpty, parse, stringOr } from "./internal/decoder.js"
import { httpErrorBody } from "./internal/openaiError.js"
import { createdSeconds, idOf, inputTokens, modelOf, outputTokens, textOf } from "./internal/responseMeta.js"
import { sseEncoder } from "./internal/sseWriter.js"

/**
 * One streamed chunk (`chat.completion.chunk`), typed loosely: only what the dialect reads.
 *
 * @since 0.1.0
 * @category models
 */
export interface ChatCompletionChunk {
  readonly id?: string
  readonly object?: string
  readonly created?: number
  readonly model?: string
  readonly choices?: ReadonlyArray<ChatChoice>
  readonly usage?: unknown
  readonly error?: { readonly message?: string; readonly type?: string; readonly code?: string | number | null }
  readonly [key: string]: unknown
}

/**
 * @since 0.1.0
 * @category models
 */
export interface ChatChoice {
  readonly index?: number
  readonly delta?: {
    readonly role?: string
    readonly content?: string | null
    readonly reasoning?: string | null
    readonly reasoning_content?: string | null
    readonly refusal?: string | null
    readonly tool_calls?: ReadonlyArray<unknown>
    readonly [key: string]: unknown
  }
  readonly finish_reason?: string | null
  readonly [key: string]: unknown
}

/**
 * Whether a chunk carries content: some delta has non-empty text (content, reasoning, refusal)
 * or tool calls.
 *
 * @since 0.1.0
 * @category predicates
 */
export const hasContent = (chunk: ChatCompletionChunk): boolean => {
  const choices = chunk.choices
  if (!Array.isArray(choices)) return false
  for (const choice of choices as ReadonlyArray<ChatChoice>) {
    const delta = choice.delta
    if (delta === undefined || delta === null) continue
    if (
      nonEmpty(delta.content) || nonEmpty(delta.reasoning) || nonEmpty(delta.reasoning_content) ||
      nonEmpty(delta.refusal) || (Array.isArray(delta.tool_calls) && delta.tool_calls.length > 0)
    ) return true
  }
  return false
}

/**
 * Whether a chunk is reasoning only: some delta has non-empty `reasoning` or `reasoning_content`,
 * and none has answer content (`content`, `refusal`, `tool_calls`).
 *
 * @since 0.1.0
 * @category predicates
 */
export const isReasoning = (chunk: ChatCompletionChunk): boolean => {
  const choices = chunk.choices
  if (!Array.isArray(choices)) return false
  let reasoning = false
  for (const choice of choices as ReadonlyArray<ChatChoice>) {
    const delta = choice.delta
    if (delta === undefined || delta === null) continue
    if (
      nonEmpty(delta.content) || nonEmpty(delta.refusal) ||
      (Array.isArray(delta.tool_calls) && delta.tool_calls.length > 0)
    ) {
      return false
    }
    if (nonEmpty(delta.reasoning) || nonEmpty(delta.reasoning_content)) reasoning = true
  }
  return reasoning
}

const signal = (payload: unknown, bytes: number): StreamEvent.StreamEvent<never> => {
  const error = isObject(payload) && isObject(payload.error) ? payload.error : undefined
  return StreamEvent.ErrorSignal({
    payload,
    errorType: error === undefined ? "error" : stringOr(error.type, stringOr(error.code, "error")),
    message: error === undefined ? stringOr(payload, "error event") : stringOr(error.message, "error"),
    bytes
  })
}

const classifier = () =>
  jsonClassifier<ChatCompletionChunk>("openaiChat", (out, type, chunk, bytes) => {
    if (type === "error" || chunk.error !== undefined && chunk.error !== null) out.push(signal(chunk, bytes))
    else if (hasContent(chunk)) out.push(StreamEvent.Chunk({ value: chunk, bytes }))
    else out.push(StreamEvent.Keepalive({ value: chunk, bytes }))
    return undefined
  }, {
    raw: (out, type, data, bytes) => {
      if (data === "[DONE]") {
        out.push(StreamEvent.Done({ bytes }))
        return true
      }
      // An `error` event whose data is not a JSON object is still an error signal, not bad JSON.
      if (type === "error") {
        const value = parse(data)
        if (value === invalid || !isObject(value)) {
          out.push(signal(data, bytes))
          return true
        }
      }
      return false
    }
  })

const base = (meta: ResponseMeta | undefined) => ({
  id: idOf(meta, "chatcmpl-"),
  object: "chat.completion.chunk",
  created: createdSeconds(meta),
  model: modelOf(meta)
})

/** A chunk: with `include_usage`, every chunk but the last says `usage: null`. */
const chunk = (
  meta: ResponseMeta | undefined,
  delta: NonNullable<ChatChoice["delta"]>,
  finishReason: string | null
): ChatCompletionChunk => ({
  ...base(meta),
  choices: [{ index: 0, delta, logprobs: null, finish_reason: finishReason }],
  ...(meta?.includeUsage === true ? { usage: null } : {})
})

const usage = (meta: ResponseMeta | undefined) => ({
  prompt_tokens: inputTokens(meta),
  completion_tokens: outputTokens(meta),
  total_tokens: inputTokens(meta) + outputTokens(meta)
})

/**
 * The Chat Completions dialect.
 *
 * @since 0.1.0
 * @category dialects
 */
export const openaiChat: Dialect<ChatCompletionChunk> = {
  name: "openaiChat",
  framing: "sse",
  contentType: "text/event-stream",
  decoder: decoderOf("openaiChat", "sse", classifier),
  encode: sseEncoder({ eventOf: () => undefined, done: "data: [DONE]\n\n" }),
  text: (chunk) => {
    const choices = chunk.choices
    if (!Array.isArray(choices) || choices.length === 0) return undefined
    const content = (choices[0] as ChatChoice).delta?.content
    return typeof content === "string" && content.length > 0 ? content : undefined
  },
  isPing: (event) => event._tag === "Keepalive" && event.value === undefined,
  isReasoning,
  textEvent: (text, meta) => StreamEvent.Chunk({ value: chunk(meta, { content: text }, null), bytes: 0 }),
  opening: (meta) => [
    StreamEvent.Keepalive({ value: chunk(meta, { role: "assistant", content: "", refusal: null }, null), bytes: 0 })
  ],
  closing: (meta) => [
    StreamEvent.Keepalive({ value: chunk(meta, {}, meta?.finishReason ?? "stop"), bytes: 0 }),
    // `include_usage`: the usage comes last, in a chunk of its own with no choices.
    ...(meta?.includeUsage === true
      ? [StreamEvent.Keepalive({ value: { ...base(meta), choices: [], usage: usage(meta) }, bytes: 0 })]
      : []),
    StreamEvent.Done({ bytes: 0 })
  ],
  ping: () => StreamEvent.Keepalive({ bytes: 0 }),
  errorEvent: (error: InBandError) => {
    const { code, message, type, ...extra } = error
    return StreamEvent.ErrorSignal({
      payload: { error: { message, type, param: null, code: code ?? null, ...extra } },
      errorType: type,
      message,
      bytes: 0
    })
  },
  responseBody: (meta) => ({
    id: idOf(meta, "chatcmpl-"),
    object: "chat.completion",
    created: createdSeconds(meta),
    model: modelOf(meta),
    choices: [{
      index: 0,
      message: { role: "assistant", content: textOf(meta), refusal: null },
      logprobs: null,
      finish_reason: meta?.finishReason ?? "stop"
    }],
    usage: usage(meta)
  }),
  httpErrorBody
}
