/**
 * The ways a guarded stream can fail.
 *
 * @since 0.1.0
 */
import * as Messages from "@streamguard/kernel/Messages"
import * as Schema from "effect/Schema"
import {
  ChunkTimeout,
  FirstChunkTimeout,
  ProgressTimeout,
  ReasoningTimeout,
  SlowStream,
  TotalTimeout
} from "./TimeoutError.js"

/**
 * The upstream reported an error in-band (`event: error`, `{"error": {...}}`, a failed
 * `response.failed`, a JSON-RPC error). The stream is closed.
 *
 * @since 0.1.0
 * @category errors
 */
export class UpstreamErrorSignal extends Schema.TaggedError<UpstreamErrorSignal>(
  "@streamguard/core/UpstreamErrorSignal"
)("UpstreamErrorSignal", {
  /** The provider's error type or code, e.g. `overloaded_error`. */
  errorType: Schema.String,
  /** The provider's own message. */
  providerMessage: Schema.String,
  /** The whole error payload as the provider sent it. */
  payload: Schema.Unknown,
  elapsedMillis: Schema.Number,
  chunks: Schema.Number
}) {
  /** @since 0.1.0 */
  get outcome(): "error_signal" {
    return "error_signal"
  }
  /** @since 0.1.0 */
  override get message(): string {
    return Messages.upstreamErrorSignal(this)
  }
}

/**
 * The upstream ended the stream (EOF) without its dialect's done signal: a truncated answer,
 * distinct from `Done`.
 *
 * @since 0.1.0
 * @category errors
 */
export class UnexpectedEnd extends Schema.TaggedError<UnexpectedEnd>("@streamguard/core/UnexpectedEnd")(
  "UnexpectedEnd",
  {
    elapsedMillis: Schema.Number,
    chunks: Schema.Number
  }
) {
  /** @since 0.1.0 */
  get outcome(): "unexpected_end" {
    return "unexpected_end"
  }
  /** @since 0.1.0 */
  override get message(): string {
    return Messages.unexpectedEnd(this)
  }
}

/**
 * The stream was stopped from outside through the `AbortSignal` it was given (a gateway shutting
 * down, a caller that gave up), before it ended on its own. `reason` is the signal's reason, in
 * words. Like an interruption, its outcome is `interrupted`, but it is a typed failure, so the
 * consumer can still say something (an in-band error event) before it closes.
 *
 * @since 0.1.0
 * @category errors
 */
export class StreamAborted extends Schema.TaggedError<StreamAborted>("@streamguard/core/StreamAborted")(
  "StreamAborted",
  {
    reason: Schema.String,
    elapsedMillis: Schema.Number,
    chunks: Schema.Number
  }
) {
  /** @since 0.1.0 */
  get outcome(): "interrupted" {
    return "interrupted"
  }
  /** @since 0.1.0 */
  override get message(): string {
    return Messages.streamAborted(this)
  }
}

/**
 * What `guard` adds to a stream's error channel.
 *
 * @since 0.1.0
 * @category errors
 */
export type GuardError =
  | FirstChunkTimeout
  | ChunkTimeout
  | ProgressTimeout
  | TotalTimeout
  | ReasoningTimeout
  | SlowStream
  | UpstreamErrorSignal
  | UnexpectedEnd
  | StreamAborted

/**
 * @since 0.1.0
 * @category schemas
 */
export const GuardError: Schema.Union<
  readonly [
    typeof FirstChunkTimeout,
    typeof ChunkTimeout,
    typeof ProgressTimeout,
    typeof TotalTimeout,
    typeof ReasoningTimeout,
    typeof SlowStream,
    typeof UpstreamErrorSignal,
    typeof UnexpectedEnd,
    typeof StreamAborted
  ]
> = Schema.Union([
  FirstChunkTimeout,
  ChunkTimeout,
  ProgressTimeout,
  TotalTimeout,
  ReasoningTimeout,
  SlowStream,
  UpstreamErrorSignal,
  UnexpectedEnd,
  StreamAborted
])

/**
 * @since 0.1.0
 * @category guards
 */
export const isGuardError: (u: unknown) => u is GuardError = Schema.is(GuardError)

/**
 * Whether `u` is a `StreamAborted`: the stream was stopped from outside, by its abort signal
 * (a shutdown, say), not by the upstream or a limit.
 *
 * @since 0.1.0
 * @category guards
 */
export const isStreamAborted: (u: unknown) => u is StreamAborted = Schema.is(StreamAborted)
