/**
 * A response body's network reads as guard events that carry the reads' own bytes: the guard
 * times and ends the stream by what each read means (content, a keepalive, the end, an error),
 * while the bytes reach the SDK's own decoder untouched.
 *
 * What a read means comes from the provider's dialect when the request path names one (OpenAI
 * Chat and Responses, Anthropic, Gemini, Ollama), so pings and lifecycle frames are keepalives and
 * the provider's end is `Done`; any other SSE body is read by the generic `sse()` dialect and
 * NDJSON line by line, both ending cleanly at EOF.
 *
 * @internal
 */
import * as StreamEvent from "@streamguard/core/StreamEvent"
import type * as Dialect from "@streamguard/protocols/Dialect"
import * as Dialects from "@streamguard/protocols/Dialects"
import type { EventTooLarge, ProtocolError } from "@streamguard/protocols/ProtocolError"
import * as Sse from "@streamguard/protocols/Sse"
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
 * What the guard asks of a read: whether a keepalive read held only the provider's pings (not
 * lifecycle frames), and whether a content read held only reasoning. Known by the read's bytes.
 */
export interface Kinds {
  readonly isPing: (event: StreamEvent.StreamEvent<any>) => boolean
  readonly isReasoning: (bytes: Uint8Array) => boolean
}

const rank = { Keepalive: 0, Chunk: 1, Done: 2, ErrorSignal: 3 } as const

/**
 * One event per read, the strongest of what the read completed (an error signal, then the end,
 * then content, then a keepalive), carrying the read's bytes. A read that completes nothing
 * (part of an event) is a keepalive: the upstream is alive, though not a ping. `kinds` tells
 * the guard which keepalive reads were pings and which content reads were only reasoning.
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
    const strongest = (bytes: Uint8Array): WireEvent => {
      let best: StreamEvent.StreamEvent<unknown> | undefined
      let allPings = out.length > 0
      let allReasoning = true
      for (const event of out) {
        if (best === undefined || rank[event._tag] > rank[best._tag]) best = event
        if (event._tag === "Keepalive") {
          allPings &&= dialect === undefined
            ? event.value === undefined
            : dialect.isPing(event)
        }
        if (event._tag === "Chunk") allReasoning &&= dialect !== undefined && dialect.isReasoning(event.value)
      }
      out.length = 0
      const size = bytes.length
      if (best === undefined || best._tag === "Keepalive") {
        if (best !== undefined && allPings) pings.add(bytes)
        return StreamEvent.Keepalive({ value: bytes, bytes: size })
      }
      if (best._tag === "Chunk") {
        if (allReasoning) reasoning.add(bytes)
        return StreamEvent.Chunk({ value: bytes, bytes: size })
      }
      if (best._tag === "Done") return StreamEvent.Done({ value: bytes, bytes: size })
      return best
    }
    const reads = Stream.mapEffect(body, (bytes) => {
      const failure = decoder.push(bytes, out)
      return failure === undefined ? Effect.succeed(strongest(bytes)) : Effect.fail(failure)
    })
    const end = Stream.suspend(() => {
      const failure = decoder.end(out)
      if (failure !== undefined) return Stream.fail(failure)
      if (out.length > 0) return Stream.make(strongest(new Uint8Array(0)))
      return endsAtEof ? Stream.make(StreamEvent.Done({ value: new Uint8Array(0), bytes: 0 })) : Stream.empty
    })
    return Stream.concat(reads, end)
  })
  return { events, kinds }
}
