/**
 * What every consumer (the subject and each baseline) offers the scenarios: read one OpenAI chat
 * stream to its end, or open one and hold it until told to close.
 *
 * @since 0.1.0
 */

/**
 * Called with each content delta (a non-empty `choices[0].delta.content`).
 *
 * @since 0.1.0
 * @category models
 */
export type OnChunk = (text: string) => void

/**
 * A stream held open by `open`.
 *
 * @since 0.1.0
 * @category models
 */
export interface Held {
  /** Ends the stream from the consumer's side (abort, or fiber interruption). */
  readonly close: () => void
  /** Settles when the stream ended, however it ended. */
  readonly ended: Promise<void>
}

/**
 * @since 0.1.0
 * @category models
 */
export interface Consumer {
  readonly name: string
  /** Streams `model` from the OpenAI chat endpoint under `url` to its end. */
  readonly consume: (url: string, model: string, onChunk: OnChunk) => Promise<void>
  /**
   * Starts streaming `model` and keeps reading until `close`. `idleTimeoutMillis` bounds the
   * silence between reads where the consumer has such a timer (the subject's `chunk`, undici's
   * `bodyTimeout`), so long-idle streams keep the timer a real deployment would have.
   */
  readonly open: (url: string, model: string, onChunk: OnChunk, idleTimeoutMillis?: number) => Held
  /** Releases the consumer's connection pool. */
  readonly dispose: () => Promise<void>
}
