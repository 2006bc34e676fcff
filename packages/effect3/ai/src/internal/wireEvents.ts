/**
 * A response body's network reads as guard events, one per event the reads carry, with the reads'
 * own bytes: the guard counts, times and ends the stream by its events (content, a keepalive, the
 * end, an error), while the bytes reach the SDK's own decoder untouched.
 *
 * What an event means comes from the provider's dialect when the request path names one (OpenAI
 * Chat and Responses, Anthropic, Gemini, Ollama), so pings and lifecycle frames are keepalives and
 * the provider's end is `Done`; any other SSE body is read by the generic `sse()` dialect and
 * NDJSON line by line, both ending cleanly at EOF.
 *
 * @internal
 */
import * as StreamEvent from "@streamguard/core-effect3/StreamEvent"
import type * as Dialect from "@streamguard/protocols-effect3/Dialect"
import * as Dialects from "@streamguard/protocols-effect3/Dialects"
import type { EventTooLarge, ProtocolError } from "@streamguard/protocols-effect3/ProtocolError"
import { fromFailure } from "@streamguard/protocols-effect3/ProtocolError"
import * as Sse from "@streamguard/protocols-effect3/Sse"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Stream from "effect/Stream"

/** A read's bytes, as the guard sees them. */
export type WireEvent = StreamEvent.StreamEvent<Uint8Array>

/** Whether a response body is a stream the guard reads event by event. */
export const isStreamBody = (contentType: string): boolean => {
  const mime = (contentType.split(";")[0] ?? "").trim().toLowerCase()
  return mime === "text/event-stream" || mime === "application/x-ndjson" || mime === "application/ndjson"
}

const generic = Sse.sse({ isDone: () => false })

// NDJSON without a known dialect: every non-empty line is content. A hand scan because it is
// only "is there a complete line": no library is needed to find a newline.
const ndjsonLines = (): Dialect.Decoder<unknown> => {
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
  readonly decoder: Dialect.Decoder<any>
  readonly endsAtEof: boolean
  readonly dialect: Dialect.Dialect<any> | undefined
}

const readingFor = (contentType: string, path: string): Reading => {
  const known = Dialects.detect({ contentType, path })
  if (Either.isRight(known)) return { decoder: known.right.decoder(), endsAtEof: false, dialect: known.right }
  const mime = (contentType.split(";")[0] ?? "").trim().toLowerCase()
  return mime === "text/event-stream"
    ? { decoder: generic.decoder(), endsAtEof: true, dialect: undefined }
    : { decoder: ndjsonLines(), endsAtEof: true, dialect: undefined }
}

/**
 * What the guard asks of an event: whether a keepalive was the provider's ping (not a lifecycle
 * frame), and whether a content event was reasoning. Known by the event's bytes array.
 */
export interface Kinds {
  readonly isPing: (event: StreamEvent.StreamEvent<any>) => boolean
  readonly isReasoning: (bytes: Uint8Array) => boolean
}

/** The bytes of a wire event that carries none of the read's bytes (they ride on another). */
const noBytes = (): Uint8Array => new Uint8Array(0)

/**
 * One wire event per event the dialect decoded, in order, so the guard counts and times events,
 * not network reads: a read that carries three content events is three chunks, and a read that
 * completes nothing (part of an event) is a keepalive (the upstream is alive, though not a ping).
 * The read's bytes ride on its first event (an error signal keeps its own payload: the guard
 * ends the stream there), the others carry an empty array that reaches no one. `kinds` tells
 * the guard which keepalives were the provider's pings and which content events only reasoning.
 */
export const fromBody = <E>(
  body: Stream.Stream<Uint8Array, E>,
  contentType: string,
  path: string
): { readonly events: Stream.Stream<WireEvent, E | ProtocolError | EventTooLarge>; readonly kinds: Kinds } => {
  const pings = new WeakSet<Uint8Array>()
  const reasoning = new WeakSet<Uint8Array>()
  const kinds: Kinds = {
    isPing: (event) => event._tag === "Keepalive" && event.value instanceof Uint8Array && pings.has(event.value),
    isReasoning: (bytes) => reasoning.has(bytes)
  }
  const events = Stream.suspend(() => {
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
          if (dialect === undefined ? event.value === undefined : dialect.isPing(event)) pings.add(value)
          wired.push(StreamEvent.Keepalive({ value, bytes: size }))
        } else if (event._tag === "Chunk") {
          if (dialect !== undefined && dialect.isReasoning(event.value)) reasoning.add(value)
          wired.push(StreamEvent.Chunk({ value, bytes: size }))
        } else {
          wired.push(StreamEvent.Done({ value, bytes: size }))
        }
      }
      out.length = 0
      return wired
    }
    const reads = Stream.mapConcatEffect(body, (bytes) => {
      const failure = decoder.push(bytes, out)
      return failure === undefined ? Effect.succeed(wire(bytes)) : Effect.fail(fromFailure(failure))
    })
    const end = Stream.suspend(() => {
      const failure = decoder.end(out)
      if (failure !== undefined) return Stream.fail(fromFailure(failure))
      if (out.length > 0) return Stream.fromIterable(wire(noBytes()))
      return endsAtEof ? Stream.make(StreamEvent.Done({ value: new Uint8Array(0), bytes: 0 })) : Stream.empty
    })
    return Stream.concat(reads, end)
  })
  return { events, kinds }
}
