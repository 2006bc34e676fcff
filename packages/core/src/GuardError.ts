/**
 * The ways a guarded stream can fail.
 *
 * @since 0.1.0
 */
import * as Schema from "effect/Schema"
import { ChunkTimeout, FirstChunkTimeout, ProgressTimeout, TotalTimeout } from "./ZombieRequestError.js"

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
    return `upstream reported an error (${this.errorType}): ${this.providerMessage}`
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
    return `upstream ended the stream without its done signal after ${this.chunks} chunks`
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
  | UpstreamErrorSignal
  | UnexpectedEnd

/**
 * @since 0.1.0
 * @category schemas
 */
export const GuardError: Schema.Union<
  [
    typeof FirstChunkTimeout,
    typeof ChunkTimeout,
    typeof ProgressTimeout,
    typeof TotalTimeout,
    typeof UpstreamErrorSignal,
    typeof UnexpectedEnd
  ]
> = Schema.Union(FirstChunkTimeout, ChunkTimeout, ProgressTimeout, TotalTimeout, UpstreamErrorSignal, UnexpectedEnd)
