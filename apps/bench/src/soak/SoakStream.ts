/**
 * One stream of the soak: the request, its answer read to the end, and how it ended as an
 * outcome label. The promise never rejects: whatever the gateway, the socket or the client's own
 * limits do, the stream ends with a label (`SoakErrors`), so one bad connection among thousands is
 * counted, not the end of the run.
 *
 * @since 0.1.0
 */
import type { Readable } from "node:stream"
import { StringDecoder } from "node:string_decoder"
import type { Dispatcher } from "undici"
import { outcomeOf } from "./SoakErrors.js"
import * as SoakTraffic from "./SoakTraffic.js"
import { SseReader } from "./SseReader.js"

/**
 * @since 0.1.0
 * @category models
 */
export interface StreamRequest {
  readonly origin: string
  readonly endpoint: SoakTraffic.Endpoint
  readonly model: string
  /** Content chunks of the answer, to check what arrives against. */
  readonly chunks: number
  /** undici's body timeout: longest silence between two reads before the client gives up. */
  readonly idleLimitMillis: number
  readonly signal?: AbortSignal | undefined
}

/**
 * @since 0.1.0
 * @category models
 */
export interface Ended {
  /** `done`, `http_<status>`, `inband:<type>`, `unexpected_end`, or a failure's label. */
  readonly outcome: string
  /** Whether the request was aborted through its signal (the soak closing it). */
  readonly aborted: boolean
  /** For `done`: chunks lost and repeated on the way. */
  readonly check?: SoakTraffic.Check | undefined
}

/**
 * @since 0.1.0
 * @category models
 */
export interface Hooks {
  /** The response's headers arrived, `millis` after the request started. */
  readonly onHeaders?: ((millis: number) => void) | undefined
  /** The first content chunk arrived, `millis` after the request started. */
  readonly onFirstChunk?: ((millis: number) => void) | undefined
}

/** Reads the body to its end into `reader`; rejects with the body's error. */
const readBody = (body: Readable, reader: SseReader, onFirstChunk: () => void): Promise<void> =>
  new Promise((resolve, reject) => {
    // undici's body gives Buffers: a character cut between two of them is kept for the next.
    const decoder = new StringDecoder("utf8")
    let first = true
    body.on("data", (bytes: Buffer) => {
      // A throw in a listener would escape as an uncaught exception: it ends this stream instead.
      try {
        reader.feed(decoder.write(bytes))
        if (first && reader.chunks > 0) {
          first = false
          onFirstChunk()
        }
      } catch (error) {
        body.destroy(error instanceof Error ? error : new Error(String(error)))
      }
    })
    body.on("end", () => {
      reader.feed(decoder.end())
      resolve()
    })
    // `on`, not `once`: a second error after the first must find a listener too.
    body.on("error", reject)
  })

/**
 * Sends the streaming request and reads its answer to the end. Resolves with how it ended, never
 * rejects.
 *
 * @since 0.1.0
 * @category streams
 */
export const run = async (dispatcher: Dispatcher, request: StreamRequest, hooks: Hooks = {}): Promise<Ended> => {
  const startedAt = performance.now()
  const aborted = () => request.signal?.aborted === true
  try {
    const response = await dispatcher.request({
      origin: request.origin,
      path: request.endpoint,
      method: "POST",
      headers: { "content-type": "application/json", "anthropic-version": "2023-06-01" },
      body: SoakTraffic.body(request.endpoint, request.model),
      headersTimeout: 60_000,
      bodyTimeout: request.idleLimitMillis,
      ...(request.signal === undefined ? {} : { signal: request.signal })
    })
    hooks.onHeaders?.(performance.now() - startedAt)
    if (response.statusCode !== 200) {
      await response.body.dump()
      return { outcome: `http_${response.statusCode}`, aborted: false }
    }
    const reader = new SseReader()
    await readBody(response.body, reader, () => hooks.onFirstChunk?.(performance.now() - startedAt))
    if (reader.error !== undefined) return { outcome: `inband:${reader.error}`, aborted: false }
    if (!reader.done) return { outcome: "unexpected_end", aborted: false }
    return { outcome: "done", aborted: false, check: SoakTraffic.check(request.chunks, reader.content) }
  } catch (error) {
    return { outcome: outcomeOf(error), aborted: aborted() }
  }
}
