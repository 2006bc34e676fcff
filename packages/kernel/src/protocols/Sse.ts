/**
 * Generic SSE: any server-sent event stream, with caller-given predicates for done and error.
 * Each dispatched event is one `SseMessage`; data is not parsed.
 *
 * @since 0.1.0
 */
import * as StreamEvent from "../StreamEvent.js"
import type { Dialect, InBandError } from "./Dialect.js"
import { decoderOf, isObject, parse, stringOr } from "./internal/decoder.js"
import type { Classifier } from "./internal/framing.js"
import { httpErrorBody } from "./internal/openaiError.js"
import { keepAliveComment, sseEvent } from "./internal/sseWriter.js"

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
  /**
   * The last event ID (WHATWG's `lastEventId`): the value of the latest `id` field at or before
   * this event, in its own block or an earlier one, with or without data. Absent until one is sent.
   */
  readonly id?: string | undefined
}

/**
 * What an error event says.
 *
 * @since 0.1.0
 * @category models
 */
export interface SignalledError {
  readonly errorType: string
  readonly message: string
}

/**
 * @since 0.1.0
 * @category models
 */
export interface SseOptions {
  /** Whether a message is the done signal. Default: data `[DONE]`. */
  readonly isDone?: ((message: SseMessage) => boolean) | undefined
  /**
   * The error a message signals, if any. Default: events named `error`, typed by the JSON
   * data's `error.type` (or `type`) when there is one.
   */
  readonly error?: ((message: SseMessage) => SignalledError | undefined) | undefined
  /** Whether a message is only a keepalive (no progress). Default: none is. */
  readonly isKeepalive?: ((message: SseMessage) => boolean) | undefined
  /** Whether a content message is reasoning rather than the answer (`Dialect.isReasoning`). Default: none is. */
  readonly isReasoning?: ((message: SseMessage) => boolean) | undefined
}

/**
 * The default error rule: an `error` event.
 *
 * @since 0.1.0
 * @category predicates
 */
export const defaultError = (message: SseMessage): SignalledError | undefined => {
  if (message.event !== "error") return undefined
  const json = parse(message.data)
  const error = isObject(json) ? (isObject(json.error) ? json.error : json) : undefined
  return {
    errorType: stringOr(error?.type, stringOr(error?.code, "error")),
    message: stringOr(error?.message, message.data)
  }
}

const isDoneDefault = (message: SseMessage): boolean => message.data === "[DONE]"

/**
 * A generic SSE dialect: every event is content unless `isDone`, `error` or `isKeepalive` says
 * otherwise. Comments are keepalives.
 *
 * @since 0.1.0
 * @category dialects
 */
export const sse = (options: SseOptions = {}): Dialect<SseMessage> => {
  const isDone = options.isDone ?? isDoneDefault
  const error = options.error ?? defaultError
  const isKeepalive = options.isKeepalive
  const classifier = (): Classifier<SseMessage> => ({
    frame: (out, event, data, id, bytes) => {
      const message: SseMessage = id === undefined ? { event, data } : { event, data, id }
      const signalled = error(message)
      if (signalled !== undefined) {
        out.push(StreamEvent.ErrorSignal({ payload: message, ...signalled, bytes }))
      } else if (isDone(message)) out.push(StreamEvent.Done({ value: message, bytes }))
      else if (isKeepalive !== undefined && isKeepalive(message)) {
        out.push(StreamEvent.Keepalive({ value: message, bytes }))
      } else out.push(StreamEvent.Chunk({ value: message, bytes }))
      return undefined
    },
    end: () => {}
  })
  const write = (message: SseMessage): string =>
    (message.id === undefined ? "" : `id: ${message.id}\n`) +
    sseEvent(message.event === "message" ? undefined : message.event, message.data)
  return {
    name: "sse",
    framing: "sse",
    contentType: "text/event-stream",
    decoder: decoderOf("sse", "sse", classifier),
    encode: (event) => {
      switch (event._tag) {
        case "ErrorSignal": {
          const payload = event.payload
          return isObject(payload) && typeof payload.event === "string" && typeof payload.data === "string"
            ? write(payload as unknown as SseMessage)
            : sseEvent("error", JSON.stringify(payload))
        }
        case "Done":
          if (event.value === undefined) return "data: [DONE]\n\n"
          break
        case "Keepalive":
          if (event.value === undefined) return keepAliveComment
      }
      return write(event.value!)
    },
    text: (message) => isDone(message) || error(message) !== undefined ? undefined : message.data,
    isPing: (event) => event._tag === "Keepalive" && event.value === undefined,
    isReasoning: options.isReasoning ?? (() => false),
    textEvent: (text) => StreamEvent.Chunk({ value: { event: "message", data: text }, bytes: 0 }),
    opening: () => [],
    closing: () => [StreamEvent.Done({ value: { event: "message", data: "[DONE]" }, bytes: 0 })],
    ping: () => StreamEvent.Keepalive({ bytes: 0 }),
    errorEvent: (inBand: InBandError) => {
      const { code, message, type, ...extra } = inBand
      const payload: SseMessage = {
        event: "error",
        data: JSON.stringify({ error: { type, message, ...(code === undefined ? {} : { code }), ...extra } })
      }
      return StreamEvent.ErrorSignal({ payload, errorType: type, message, bytes: 0 })
    },
    // No provider stands behind a generic stream: its bodies are the text alone, and OpenAI's error body.
    responseBody: (meta) => ({ text: meta?.text ?? "" }),
    httpErrorBody
  }
}
