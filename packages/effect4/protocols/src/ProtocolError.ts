/**
 * What can go wrong while reading a provider's bytes: they do not follow the dialect, one event
 * is too large, or the response is not in any dialect we know.
 *
 * @since 0.1.0
 */
import * as Failure from "@streamguard/kernel/protocols/ProtocolError"
import * as Schema from "effect/Schema"

export {
  /**
   * The start of `text`, at most `maxBytes` bytes of UTF-8 (default `maxExcerptBytes`), cut on a
   * character boundary.
   *
   * @since 0.1.0
   * @category constructors
   */
  excerpt,
  /**
   * The start of `bytes` as text, at most `maxBytes` of them, cut on a UTF-8 character boundary:
   * what an error keeps of the input that caused it (a frame, an error body).
   *
   * @since 0.1.0
   * @category constructors
   */
  excerptBytes,
  /**
   * The most bytes of offending input an error keeps, so a log line stays small and a secret in a
   * huge body cannot leak whole.
   *
   * @since 0.1.0
   * @category constants
   */
  maxExcerptBytes
} from "@streamguard/kernel/protocols/ProtocolError"

/**
 * The bytes do not follow the dialect: invalid JSON where it needs JSON, a body that is not
 * SSE at all, a frame of the wrong shape. `excerpt` holds at most 200 bytes of the input.
 *
 * @since 0.1.0
 * @category errors
 */
export class ProtocolError extends Schema.TaggedError<ProtocolError>("@streamguard/protocols/ProtocolError")(
  "ProtocolError",
  {
    /** The dialect that was decoding (`openaiChat`, `anthropic`, ...). */
    dialect: Schema.String,
    /** What was wrong, in words. */
    reason: Schema.String,
    /** The start of the offending frame or line, at most 200 bytes. */
    excerpt: Schema.String
  }
) {
  /** @since 0.1.0 */
  get outcome(): "protocol_error" {
    return Failure.outcome
  }
  /** @since 0.1.0 */
  override get message(): string {
    return Failure.message(this)
  }
}

/**
 * One event (SSE block or NDJSON line) grew past `limit` bytes. Raised as soon as the limit is
 * crossed: the decoder never holds more than `limit` bytes of one event. In SSE, the lines an event
 * keeps (`data`, `event`, `id`) add up toward the limit; comments, `retry` and unknown fields are
 * held nowhere and count only as lines: no one line of any kind may pass the limit.
 *
 * @since 0.1.0
 * @category errors
 */
export class EventTooLarge extends Schema.TaggedError<EventTooLarge>("@streamguard/protocols/EventTooLarge")(
  "EventTooLarge",
  {
    dialect: Schema.String,
    /** The `maxEventBytes` limit that was crossed. */
    limit: Schema.Number
  }
) {
  /** @since 0.1.0 */
  get outcome(): "protocol_error" {
    return Failure.outcome
  }
  /** @since 0.1.0 */
  override get message(): string {
    return Failure.message(this)
  }
}

/**
 * No dialect fits a response's `content-type` and request path (or the pair contradicts
 * itself, such as Gemini without `alt=sse`).
 *
 * @since 0.1.0
 * @category errors
 */
export class UnknownDialect extends Schema.TaggedError<UnknownDialect>("@streamguard/protocols/UnknownDialect")(
  "UnknownDialect",
  {
    contentType: Schema.String,
    path: Schema.String,
    reason: Schema.String
  }
) {
  /** @since 0.1.0 */
  get outcome(): "protocol_error" {
    return Failure.outcome
  }
  /** @since 0.1.0 */
  override get message(): string {
    return Failure.message(this)
  }
}

/**
 * What decoding can fail with.
 *
 * @since 0.1.0
 * @category errors
 */
export type DecodeError = ProtocolError | EventTooLarge

/**
 * @since 0.1.0
 * @category schemas
 */
export const DecodeError: Schema.Union<readonly [typeof ProtocolError, typeof EventTooLarge]> = Schema.Union([
  ProtocolError,
  EventTooLarge
])

/**
 * A decoder's failure as the kernel returns it: plain data with the fields of `ProtocolError` or
 * `EventTooLarge`. `fromFailure` makes the error class of it.
 *
 * @since 0.1.0
 * @category models
 */
export type DecodeFailure = Failure.DecodeFailure

/**
 * The error for a decoder's failure: what a transport that drives a `Decoder` by hand fails with.
 *
 * @since 0.1.0
 * @category constructors
 */
export const fromFailure = (failure: DecodeFailure): DecodeError =>
  failure._tag === "ProtocolError"
    ? new ProtocolError({ dialect: failure.dialect, reason: failure.reason, excerpt: failure.excerpt })
    : new EventTooLarge({ dialect: failure.dialect, limit: failure.limit })
