/**
 * What the soak sends: the endpoints, the request bodies and the simulator scenarios, whose
 * content is a numbered word per chunk (`w0 w1 w2 ...`), so what a client reads can be checked
 * word by word for chunks lost or repeated on the way.
 *
 * @since 0.1.0
 */

/**
 * The gateway's streaming endpoints, in the order the short streams rotate through them.
 *
 * @since 0.1.0
 * @category models
 */
export type Endpoint = "/v1/chat/completions" | "/v1/responses" | "/v1/messages"

/**
 * @since 0.1.0
 * @category constants
 */
export const endpoints: ReadonlyArray<Endpoint> = ["/v1/chat/completions", "/v1/responses", "/v1/messages"]

/**
 * The answer of a stream of `chunks` content chunks: the simulator cuts its `text` into one token
 * per word (with its leading space), so chunk `i` is ` w<i>` (`w0` for the first).
 *
 * @since 0.1.0
 * @category content
 */
export const words = (chunks: number): string => Array.from({ length: chunks }, (_, i) => `w${i}`).join(" ")

/**
 * @since 0.1.0
 * @category models
 */
export interface Paced {
  readonly chunks: number
  readonly gapMillis: number
  /** Keepalives during the gaps (`undefined`: none). */
  readonly keepaliveMillis?: number | undefined
}

/**
 * The model naming the simulator scenario: `chunks` numbered words, each after `gapMillis` (no
 * jitter, so the gaps stay below the profile's `chunk` limit), with keepalives when asked.
 *
 * @since 0.1.0
 * @category requests
 */
export const model = (paced: Paced): string => {
  const params = new URLSearchParams({ text: words(paced.chunks), gap: `${paced.gapMillis}ms`, jitter: "0ms" })
  params.set("keepalive", paced.keepaliveMillis === undefined ? "none" : `${paced.keepaliveMillis}ms`)
  return `sim:steady?${params.toString()}`
}

/**
 * The streaming request body for an endpoint.
 *
 * @since 0.1.0
 * @category requests
 */
export const body = (endpoint: Endpoint, model: string): string =>
  endpoint === "/v1/responses"
    ? JSON.stringify({ model, stream: true, input: "hi" })
    : endpoint === "/v1/messages"
    ? JSON.stringify({ model, stream: true, max_tokens: 1024, messages: [{ role: "user", content: "hi" }] })
    : JSON.stringify({ model, stream: true, messages: [{ role: "user", content: "hi" }] })

/**
 * @since 0.1.0
 * @category models
 */
export interface Check {
  /** Words of the answer never read. */
  readonly lost: number
  /** Words read more than once, or not in the answer at all. */
  readonly duplicated: number
}

/**
 * Compares the content a client read with the answer of `chunks` numbered words.
 *
 * @since 0.1.0
 * @category content
 */
export const check = (chunks: number, content: string): Check => {
  const seen = new Uint32Array(chunks)
  let duplicated = 0
  for (const word of content.split(" ")) {
    if (word.length === 0) continue
    const index = word.startsWith("w") ? Number(word.slice(1)) : Number.NaN
    if (Number.isInteger(index) && index >= 0 && index < chunks) {
      if (seen[index]! > 0) duplicated++
      seen[index]!++
    } else {
      duplicated++
    }
  }
  let lost = 0
  for (const times of seen) if (times === 0) lost++
  return { lost, duplicated }
}
