/**
 * An upstream that answered with an HTTP error before any content, as plain data, and how its
 * answer is read: the bounded excerpt of its body, `retry-after`, the provider's error type and
 * message. Each Effect line turns it into its `UpstreamHttpError` class, whose message is
 * `Messages.upstreamHttpError`.
 *
 * @since 0.1.0
 */
import { excerptBytes } from "../protocols/ProtocolError.js"

/**
 * The most bytes of an error response's body that are read and kept.
 *
 * @since 0.1.0
 * @category constants
 */
export const maxExcerptBytes = 2048

/**
 * The longest an error body may take to arrive, in millis: the stream's `chunk` limit when it
 * is shorter. Whatever arrived by then is the excerpt.
 *
 * @since 0.1.0
 * @category constants
 */
export const maxExcerptWaitMillis = 5000

/**
 * The data of an HTTP error answer.
 *
 * @since 0.1.0
 * @category models
 */
export interface UpstreamHttpFailure {
  readonly status: number
  /** From `retry-after-ms` or `retry-after` (seconds or an HTTP date). */
  readonly retryAfterMillis?: number | undefined
  /** The start of the body, at most `maxExcerptBytes` of UTF-8. */
  readonly bodyExcerpt: string
  /** The provider's error type when the body says it. */
  readonly providerErrorType?: string | undefined
  readonly providerMessage?: string | undefined
}

/**
 * How long an error body may take to arrive (millis), given the stream's `chunk` limit in millis
 * (`Infinity`: none).
 *
 * @since 0.1.0
 * @category getters
 */
export const excerptWithinMillis = (chunkLimitMillis: number): number =>
  Math.min(chunkLimitMillis, maxExcerptWaitMillis)

/**
 * `retry-after-ms` (OpenAI), else `retry-after` in seconds or as an HTTP date, from lower-case
 * headers; `now` is the clock millis the answer arrived at.
 *
 * @since 0.1.0
 * @category getters
 */
export const retryAfterMillis = (
  headers: Readonly<Record<string, string | undefined>>,
  now: number
): number | undefined => {
  const millis = Number(headers["retry-after-ms"])
  if (headers["retry-after-ms"] !== undefined && Number.isFinite(millis) && millis >= 0) return millis
  const value = headers["retry-after"]
  if (value === undefined) return undefined
  const seconds = Number(value)
  if (value.trim() !== "" && Number.isFinite(seconds) && seconds >= 0) return seconds * 1000
  const date = Date.parse(value)
  return Number.isNaN(date) ? undefined : Math.max(0, date - now)
}

const parseJson = (text: string): { readonly ok: boolean; readonly value?: unknown } => {
  try {
    return { ok: true, value: JSON.parse(text) }
  } catch {
    return { ok: false }
  }
}

/**
 * The provider's error type and message in an error body: OpenAI's `{"error":{"type"}}`,
 * Anthropic's `{"type":"error","error":{"type"}}`, Gemini's `{"error":{"status"}}`, else a
 * string `code`.
 *
 * @since 0.1.0
 * @category getters
 */
export const providerError = (excerpt: string): { readonly type?: string; readonly message?: string } => {
  // Not JSON, or cut off at the excerpt bound: the excerpt speaks for itself.
  const body = parseJson(excerpt).value
  const error = typeof body === "object" && body !== null ? (body as { error?: unknown }).error : undefined
  if (typeof error !== "object" || error === null) return {}
  const { code, message, status, type } = error as Record<string, unknown>
  const kind = typeof type === "string" ? type : typeof status === "string" ? status : typeof code === "string"
    ? code
    : undefined
  return {
    ...(kind === undefined ? {} : { type: kind }),
    ...(typeof message === "string" ? { message } : {})
  }
}

const textDecoder = new TextDecoder()

/**
 * The start of an error response's body, as it arrives: at most `maxExcerptBytes`, and complete as
 * soon as the bytes form a whole JSON document (error bodies usually are one, and the rest of a
 * stalled body is not worth waiting for).
 *
 * @since 0.1.0
 * @category models
 */
export class Excerpt {
  private bytes = new Uint8Array(0)

  /** Adds a network read; returns whether the excerpt is complete. */
  add(chunk: Uint8Array): boolean {
    if (this.complete()) return true
    const next = new Uint8Array(Math.min(this.bytes.length + chunk.length, maxExcerptBytes + 4))
    next.set(this.bytes)
    next.set(chunk.subarray(0, next.length - this.bytes.length), this.bytes.length)
    this.bytes = next
    return this.complete()
  }

  /** Whether enough arrived: the bound, or a whole JSON document. */
  complete(): boolean {
    return this.bytes.length >= maxExcerptBytes ||
      (this.bytes.length > 0 && parseJson(textDecoder.decode(this.bytes)).ok)
  }

  /** The failure the upstream's answer stands for, from what arrived so far. */
  failure(status: number, headers: Readonly<Record<string, string | undefined>>, now: number): UpstreamHttpFailure {
    const bodyExcerpt = excerptBytes(this.bytes, maxExcerptBytes)
    const provider = providerError(bodyExcerpt)
    const retryAfter = retryAfterMillis(headers, now)
    return {
      status,
      bodyExcerpt,
      ...(retryAfter === undefined ? {} : { retryAfterMillis: retryAfter }),
      ...(provider.type === undefined ? {} : { providerErrorType: provider.type }),
      ...(provider.message === undefined ? {} : { providerMessage: provider.message })
    }
  }
}
