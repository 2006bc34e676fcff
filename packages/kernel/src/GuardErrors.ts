/**
 * The failures the guard decides itself, as plain data, and the factory a line gives the engine to
 * make them: each line builds its own error classes (with their messages from `Messages`), so the
 * engine's state holds that line's own error instances.
 *
 * @since 0.1.0
 */
import type { StreamOutcome } from "./StreamOutcome.js"
import type { Kind, SlowStreamDetails, TimeoutDetails } from "./Timeouts.js"

/**
 * The upstream reported an error in-band: the provider's error type or code and its message, the
 * whole payload as sent, and how far the stream had got.
 *
 * @since 0.1.0
 * @category models
 */
export interface UpstreamErrorSignal {
  readonly errorType: string
  readonly providerMessage: string
  readonly payload: unknown
  readonly elapsedMillis: number
  readonly chunks: number
}

/**
 * The upstream ended the stream without its dialect's done signal.
 *
 * @since 0.1.0
 * @category models
 */
export interface UnexpectedEnd {
  readonly elapsedMillis: number
  readonly chunks: number
}

/**
 * The stream was stopped from outside by its abort signal; `reason` is the signal's reason in words.
 *
 * @since 0.1.0
 * @category models
 */
export interface StreamAborted {
  readonly reason: string
  readonly elapsedMillis: number
  readonly chunks: number
}

/**
 * What every error the guard makes knows: the outcome it ends the stream with.
 *
 * @since 0.1.0
 * @category models
 */
export interface HasOutcome {
  readonly outcome: StreamOutcome
}

/**
 * Makes the guard's errors as a line's own classes (`GE`): a front implements it once.
 *
 * @since 0.1.0
 * @category models
 */
export interface GuardErrors<GE extends HasOutcome> {
  /** A limit expired. */
  readonly timeout: (kind: Kind, details: TimeoutDetails) => GE
  /** The content came slower than `minRate`. */
  readonly slowStream: (details: SlowStreamDetails) => GE
  readonly upstreamErrorSignal: (data: UpstreamErrorSignal) => GE
  readonly unexpectedEnd: (data: UnexpectedEnd) => GE
  readonly streamAborted: (data: StreamAborted) => GE
}
