/**
 * What can go wrong while reading a provider's bytes, as plain data: they do not follow the
 * dialect, one event is too large, or the response is in no dialect we know. The decoders return
 * these values and never throw; each Effect line turns them into its own error classes, with the
 * same fields and the same `message`.
 *
 * @since 0.1.0
 */

/**
 * The most bytes of offending input a failure keeps, so a log line stays small and a secret in a
 * huge body cannot leak whole.
 *
 * @since 0.1.0
 * @category constants
 */
export const maxExcerptBytes = 200

const encoder = new TextEncoder()
const decoder = new TextDecoder()

/**
 * The start of `bytes` as text, at most `maxBytes` of them, cut on a UTF-8 character boundary: what
 * a failure keeps of the input that caused it (a frame, an error body).
 *
 * @since 0.1.0
 * @category constructors
 */
export const excerptBytes = (bytes: Uint8Array, maxBytes: number = maxExcerptBytes): string => {
  let end = Math.min(bytes.length, maxBytes)
  // Back off continuation bytes (10xxxxxx) so no character is cut in half.
  if (end < bytes.length) { while (end > 0 && (bytes[end]! & 0xc0) === 0x80) end-- }
  return decoder.decode(bytes.subarray(0, end))
}

/**
 * The start of `text`, at most `maxBytes` bytes of UTF-8 (default `maxExcerptBytes`), cut on a
 * character boundary.
 *
 * @since 0.1.0
 * @category constructors
 */
export const excerpt = (text: string, maxBytes: number = maxExcerptBytes): string => {
  // Every UTF-16 unit is at most 3 UTF-8 bytes: short strings need no encoding at all.
  if (text.length * 3 <= maxBytes) return text
  return excerptBytes(encoder.encode(text.length > maxBytes ? text.slice(0, maxBytes) : text), maxBytes)
}

/**
 * The bytes do not follow the dialect: invalid JSON where it needs JSON, a body that is not
 * SSE at all, a frame of the wrong shape.
 *
 * @since 0.1.0
 * @category models
 */
export interface ProtocolError {
  readonly _tag: "ProtocolError"
  /** The dialect that was decoding (`openaiChat`, `anthropic`, ...). */
  readonly dialect: string
  /** What was wrong, in words. */
  readonly reason: string
  /** The start of the offending frame or line, at most `maxExcerptBytes` bytes. */
  readonly excerpt: string
}

/**
 * One event (SSE block or NDJSON line) grew past `limit` bytes. Returned as soon as the limit is
 * crossed: a decoder never holds more than `limit` bytes of one event. In SSE, the lines an event
 * keeps (`data`, `event`, `id`) add up toward the limit; comments, `retry` and unknown fields are
 * held nowhere and count only as lines: no one line of any kind may pass the limit.
 *
 * @since 0.1.0
 * @category models
 */
export interface EventTooLarge {
  readonly _tag: "EventTooLarge"
  readonly dialect: string
  /** The `maxEventBytes` limit that was crossed. */
  readonly limit: number
}

/**
 * No dialect fits a response's `content-type` and request path (or the pair contradicts
 * itself, such as Gemini without `alt=sse`).
 *
 * @since 0.1.0
 * @category models
 */
export interface UnknownDialect {
  readonly _tag: "UnknownDialect"
  readonly contentType: string
  readonly path: string
  readonly reason: string
}

/**
 * What decoding can fail with.
 *
 * @since 0.1.0
 * @category models
 */
export type DecodeFailure = ProtocolError | EventTooLarge

/**
 * Every failure of this module: decoding's, and detection's.
 *
 * @since 0.1.0
 * @category models
 */
export type Failure = ProtocolError | EventTooLarge | UnknownDialect

/**
 * @since 0.1.0
 * @category constructors
 */
export const protocolError = (dialect: string, reason: string, excerpt: string): ProtocolError => ({
  _tag: "ProtocolError",
  dialect,
  reason,
  excerpt
})

/**
 * @since 0.1.0
 * @category constructors
 */
export const eventTooLarge = (dialect: string, limit: number): EventTooLarge => ({
  _tag: "EventTooLarge",
  dialect,
  limit
})

/**
 * @since 0.1.0
 * @category constructors
 */
export const unknownDialect = (contentType: string, path: string, reason: string): UnknownDialect => ({
  _tag: "UnknownDialect",
  contentType,
  path,
  reason
})

/**
 * The outcome every one of these failures ends a stream with.
 *
 * @since 0.1.0
 * @category constants
 */
export const outcome = "protocol_error"

/**
 * What a failure says, in one line: the `message` of each line's error classes.
 *
 * @since 0.1.0
 * @category getters
 */
export const message = (failure: Failure): string => {
  switch (failure._tag) {
    case "ProtocolError":
      return `${failure.dialect}: ${failure.reason}: ${JSON.stringify(failure.excerpt)}`
    case "EventTooLarge":
      return `${failure.dialect}: one event exceeded the limit of ${failure.limit} bytes`
    case "UnknownDialect":
      return `no stream dialect for content-type ${JSON.stringify(failure.contentType)} at ${
        JSON.stringify(failure.path)
      }: ${failure.reason}`
  }
}
