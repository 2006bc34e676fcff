/**
 * What a guarded `HttpClient` reads off a request before it is sent: whether it asks for a stream,
 * and the earliest of the limits that bound its wait, with the details of that wait's timeout.
 *
 * @since 0.1.0
 */
const decoder = new TextDecoder()

/**
 * Whether a request asks for a stream: `"stream": true` in its JSON body (OpenAI's, Anthropic's,
 * Ollama's), or Gemini's streaming path. `body` is the request's bytes when it has them in memory.
 *
 * @since 0.1.0
 * @category predicates
 */
export const isStreamed = (url: string, body: Uint8Array | undefined): boolean => {
  if (url.includes(":streamGenerateContent")) return true
  if (body === undefined) return false
  try {
    const json = JSON.parse(decoder.decode(body)) as unknown
    return typeof json === "object" && json !== null && (json as { stream?: unknown }).stream === true
  } catch {
    return false
  }
}

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
 * The earliest of `fields`' limits, as `limitOf` gives each in millis (`undefined` or
 * `Infinity`: none), all counted from one start; `undefined` when none is set.
 *
 * @since 0.1.0
 * @category getters
 */
export const earliest = (
  limitOf: (field: Limited) => number | undefined,
  fields: ReadonlyArray<Limited>
): { readonly field: Limited; readonly limitMillis: number } | undefined => {
  let first: { readonly field: Limited; readonly limitMillis: number } | undefined
  for (const field of fields) {
    const limit = limitOf(field)
    if (limit !== undefined && Number.isFinite(limit) && (first === undefined || limit < first.limitMillis)) {
      first = { field, limitMillis: limit }
    }
  }
  return first
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
