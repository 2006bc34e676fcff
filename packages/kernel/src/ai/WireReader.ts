/**
 * A response body's network reads as guard events, one per event the reads carry, with the reads'
 * own bytes: the guard counts, times and ends the stream by its events (content, a keepalive, the
 * end, an error), while the bytes reach the SDK's own decoder untouched. What each Effect line's
 * guarded `HttpClient` reads a streamed body with.
 *
 * What an event means comes from the provider's dialect when the request path names one (OpenAI
 * Chat and Responses, Anthropic, Gemini, Ollama), so pings and lifecycle frames are keepalives and
 * the provider's end is `Done`; any other SSE body is read by the generic `sse()` dialect and
 * NDJSON line by line, both ending cleanly at EOF.
 *
 * @since 0.1.0
 */
import type { Decoder, Dialect } from "../protocols/Dialect.js"
import * as Dialects from "../protocols/Dialects.js"
import type { DecodeFailure } from "../protocols/ProtocolError.js"
import * as Sse from "../protocols/Sse.js"
import * as StreamEvent from "../StreamEvent.js"

/**
 * A read's bytes, as the guard sees them.
 *
 * @since 0.1.0
 * @category models
 */
export type WireEvent = StreamEvent.StreamEvent<Uint8Array>

const mimeOf = (contentType: string): string => (contentType.split(";")[0] ?? "").trim().toLowerCase()

/**
 * Whether a response body is a stream the guard reads event by event: SSE or NDJSON.
 *
 * @since 0.1.0
 * @category predicates
 */
export const isStreamBody = (contentType: string): boolean => {
  const mime = mimeOf(contentType)
  return mime === "text/event-stream" || mime === "application/x-ndjson" || mime === "application/ndjson"
}

const generic = Sse.sse({ isDone: () => false })

// NDJSON without a known dialect: every non-empty line is content. A hand scan because it is
// only "is there a complete line": no library is needed to find a newline.
const ndjsonLines = (): Decoder<unknown> => {
  let open = false
  return {
    push: (bytes, out) => {
      for (let i = 0; i < bytes.length; i++) {
        const byte = bytes[i]!
        if (byte === 10) {
          if (open) out.push(StreamEvent.Chunk({ value: undefined, bytes: 0 }))
          open = false
        } else if (byte !== 13 && byte !== 32) open = true
      }
      return undefined
    },
    end: () => undefined
  }
}

interface Reading {
  readonly decoder: Decoder<any>
  readonly endsAtEof: boolean
  readonly dialect: Dialect<any> | undefined
}

const readingFor = (contentType: string, path: string): Reading => {
  const known = Dialects.detect({ contentType, path })
  if (typeof known === "string") {
    const dialect = Dialects.byName[known]
    return { decoder: dialect.decoder(), endsAtEof: false, dialect }
  }
  return mimeOf(contentType) === "text/event-stream"
    ? { decoder: generic.decoder(), endsAtEof: true, dialect: undefined }
    : { decoder: ndjsonLines(), endsAtEof: true, dialect: undefined }
}

/**
 * What the guard asks of an event: whether a keepalive was the provider's ping (not a lifecycle
 * frame), and whether a content event was reasoning. Known by the event's bytes array, so one
 * `Kinds` serves every reader of a body (the guard's options are set before the body is read).
 *
 * @since 0.1.0
 * @category models
 */
export interface Kinds {
  readonly isPing: (event: StreamEvent.StreamEvent<any>) => boolean
  readonly isReasoning: (bytes: Uint8Array) => boolean
  /** @internal */
  readonly pings: WeakSet<Uint8Array>
  /** @internal */
  readonly reasoning: WeakSet<Uint8Array>
}

/**
 * A fresh `Kinds`, empty.
 *
 * @since 0.1.0
 * @category constructors
 */
export const makeKinds = (): Kinds => {
  const pings = new WeakSet<Uint8Array>()
  const reasoning = new WeakSet<Uint8Array>()
  return {
    pings,
    reasoning,
    isPing: (event) => event._tag === "Keepalive" && event.value instanceof Uint8Array && pings.has(event.value),
    isReasoning: (bytes) => reasoning.has(bytes)
  }
}

/**
 * One body's reading state: `push` each network read, `end` at EOF. Each returns the wire events
 * in order, or the decoding failure that ends the body.
 *
 * @since 0.1.0
 * @category models
 */
export interface WireReader {
  readonly push: (bytes: Uint8Array) => ReadonlyArray<WireEvent> | DecodeFailure
  readonly end: () => ReadonlyArray<WireEvent> | DecodeFailure
}

/**
 * Whether what `push` or `end` returned is the failure that ends the body.
 *
 * @since 0.1.0
 * @category predicates
 */
export const isFailure = (read: ReadonlyArray<WireEvent> | DecodeFailure): read is DecodeFailure => !Array.isArray(read)

/**
 * The bytes a guarded wire event hands on to the provider's decoder: a read's bytes, or
 * `undefined` for an event that carries none (they rode on another) or an error signal.
 *
 * @since 0.1.0
 * @category getters
 */
export const bytesOf = (event: WireEvent): Uint8Array | undefined =>
  event._tag === "ErrorSignal" || event.value === undefined || event.value.length === 0 ? undefined : event.value

/** The bytes of a wire event that carries none of the read's bytes (they ride on another). */
const noBytes = (): Uint8Array => new Uint8Array(0)

/**
 * A reader of a body of `contentType` answering `path`, marking pings and reasoning in `kinds`.
 * One wire event per event the dialect decoded, in order, so the guard counts and times events,
 * not network reads: a read that carries three content events is three chunks, and a read that
 * completes nothing (part of an event) is a keepalive (the upstream is alive, though not a ping).
 * The read's bytes ride on its first event (an error signal keeps its own payload: the guard
 * ends the stream there), the others carry an empty array that reaches no one.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (contentType: string, path: string, kinds: Kinds): WireReader => {
  const { decoder, dialect, endsAtEof } = readingFor(contentType, path)
  const out: Array<StreamEvent.StreamEvent<unknown>> = []
  const wire = (bytes: Uint8Array): Array<WireEvent> => {
    if (out.length === 0) return [StreamEvent.Keepalive({ value: bytes, bytes: bytes.length })]
    const wired: Array<WireEvent> = []
    let carried = false
    for (const event of out) {
      if (event._tag === "ErrorSignal") {
        wired.push(event)
        continue
      }
      const value = carried ? noBytes() : bytes
      const size = carried ? 0 : bytes.length
      carried = true
      if (event._tag === "Keepalive") {
        if (dialect === undefined ? event.value === undefined : dialect.isPing(event)) kinds.pings.add(value)
        wired.push(StreamEvent.Keepalive({ value, bytes: size }))
      } else if (event._tag === "Chunk") {
        if (dialect !== undefined && dialect.isReasoning(event.value)) kinds.reasoning.add(value)
        wired.push(StreamEvent.Chunk({ value, bytes: size }))
      } else {
        wired.push(StreamEvent.Done({ value, bytes: size }))
      }
    }
    out.length = 0
    return wired
  }
  return {
    push: (bytes) => decoder.push(bytes, out) ?? wire(bytes),
    end: () => {
      const failure = decoder.end(out)
      if (failure !== undefined) return failure
      if (out.length > 0) return wire(noBytes())
      return endsAtEof ? [StreamEvent.Done({ value: noBytes(), bytes: 0 })] : []
    }
  }
}
