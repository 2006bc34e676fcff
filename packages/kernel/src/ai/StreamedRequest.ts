/**
 * What a guarded `HttpClient` reads off a request and its response: whether it asks for a stream,
 * whether its body is read event by event, and the deadline of a wait on it (the earliest of the
 * limits that bound it), with the details of that wait's timeout.
 *
 * @since 0.1.0
 */
import * as WireReader from "./WireReader.js"

const decoder = new TextDecoder()

/**
 * A request as both lines' HTTP clients hold it: its URL, its body (the bytes are read when the
 * body is in memory, tagged `Uint8Array`), and its query parameters as a string.
 *
 * @since 0.1.0
 * @category models
 */
export interface RequestLike {
  readonly url: string
  readonly body: { readonly _tag: string; readonly body?: unknown }
}

/**
 * Whether a request asks for a stream: `"stream": true` in its JSON body (OpenAI's, Anthropic's,
 * Ollama's), or Gemini's streaming path.
 *
 * @since 0.1.0
 * @category predicates
 */
export const isStreamed = (request: RequestLike): boolean => {
  if (request.url.includes(":streamGenerateContent")) return true
  const body = request.body._tag === "Uint8Array" ? request.body.body : undefined
  if (!(body instanceof Uint8Array)) return false
  try {
    const json = JSON.parse(decoder.decode(body)) as unknown
    return typeof json === "object" && json !== null && (json as { stream?: unknown }).stream === true
  } catch {
    return false
  }
}

/**
 * The path and query of a request, as dialect detection reads it: the URL's path, then the
 * client's own query parameters (`query`, already encoded) or, without any, the URL's own query.
 *
 * @since 0.1.0
 * @category getters
 */
export const pathOf = (url: string, query: string): string => {
  const parsed = new URL(url, "http://localhost")
  return parsed.pathname + (query === "" ? parsed.search : `?${query}`)
}

/**
 * Whether a response to a request is read event by event by the guard: the request asked for a
 * stream, the status is a success, and the body is SSE or NDJSON. Any other body is bounded whole.
 *
 * @since 0.1.0
 * @category predicates
 */
export const readsEvents = (streamed: boolean, status: number, contentType: string): boolean =>
  streamed && status >= 200 && status < 300 && WireReader.isStreamBody(contentType)

/**
 * The limits that bound a wait on a response as a whole: for its headers, or for a body that is
 * not read event by event.
 *
 * @since 0.1.0
 * @category models
 */
export type Limited = "headers" | "request" | "firstChunk" | "total"

/**
 * Which limits bound the wait for a response's headers: a streamed request's by its stream limits
 * too (a silent start), a whole request's by `request`.
 *
 * @since 0.1.0
 * @category getters
 */
export const headerLimits = (streamed: boolean): ReadonlyArray<Limited> =>
  streamed ? ["headers", "firstChunk", "total"] : ["headers", "request"]

/**
 * Which limits bound reading a body that is not a stream (a whole answer, an error body).
 *
 * @since 0.1.0
 * @category getters
 */
export const wholeBodyLimits = (streamed: boolean): ReadonlyArray<Limited> =>
  streamed ? ["firstChunk", "total"] : ["request"]

/**
 * The wait's deadline: the earliest of `fields`' limits, as `limitOf` gives each in millis
 * (`undefined` or `Infinity`: none), counted from `startedAt`; `undefined` when none is set.
 *
 * @since 0.1.0
 * @category getters
 */
export const deadline = (
  limitOf: (field: Limited) => number | undefined,
  fields: ReadonlyArray<Limited>,
  startedAt: number
): Deadline | undefined => {
  let first: Deadline | undefined
  for (const field of fields) {
    const limit = limitOf(field)
    if (limit !== undefined && Number.isFinite(limit) && (first === undefined || limit < first.limitMillis)) {
      first = {
        field,
        limitMillis: limit,
        remainingMillis: (now) => Math.max(0, startedAt + limit - now),
        details: (now) => timeoutDetails(limit, now - startedAt)
      }
    }
  }
  return first
}

/**
 * A wait's deadline: the limit that fires first, and at a given time how long is left and what
 * its timeout says.
 *
 * @since 0.1.0
 * @category models
 */
export interface Deadline {
  readonly field: Limited
  readonly limitMillis: number
  readonly remainingMillis: (now: number) => number
  readonly details: (now: number) => ReturnType<typeof timeoutDetails>
}

/**
 * The details of a timeout of such a wait: nothing arrived in it.
 *
 * @since 0.1.0
 * @category constructors
 */
export const timeoutDetails = (limitMillis: number, elapsedMillis: number) => ({
  limitMillis,
  elapsedMillis,
  chunks: 0,
  sinceLastEventMillis: elapsedMillis,
  lastEvent: "none" as const
})
