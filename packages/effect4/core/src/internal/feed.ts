/**
 * The contract between a guarded stream and its transport: the kernel's (`Feed`, `Control`), with
 * what the observer and this line's durations add.
 *
 * @internal
 */
import type * as Kernel from "@streamguard/kernel/Feed"
import type * as Duration from "effect/Duration"
import type * as Effect from "effect/Effect"
import type * as StreamObserver from "../StreamObserver.js"
import type { StreamOutcome } from "../StreamOutcome.js"
import type * as TimeoutPolicy from "../TimeoutPolicy.js"

export type { Control, Emit } from "@streamguard/kernel/Feed"
export type { Kind, Phase } from "@streamguard/kernel/Limits"

/**
 * The push side of a guarded stream: the kernel's feed, and `retrying` for a transport that
 * retries.
 *
 * @internal
 */
export interface Feed<A, E> extends Kernel.Feed<A, E> {
  /** Tells the observer that the attempt that failed with `outcome` is retried after `delayMillis`. */
  readonly retrying: (attempt: number, outcome: StreamOutcome, delayMillis: number) => Effect.Effect<void>
}

/**
 * The options of a guarded stream: what users pass as `Guard.GuardOptions`, and the `kind` a
 * transport sets.
 *
 * @internal
 */
export interface Options extends Kernel.Options {
  /**
   * `guardEvents` only: while the consumer waits for the upstream after it opened, hand it a
   * payload-less `Keepalive` of the guard's own every `heartbeat` (a relay's keep-alive comment).
   * Not an upstream event: it resets no limit and is counted nowhere. Served by the same deadline
   * scheduler as the limits, so it costs no timer of its own.
   */
  readonly heartbeat?: Duration.Duration | undefined
  /** The observer of this stream, instead of the `StreamObserver` in context. */
  readonly observer?: StreamObserver.Service | undefined
}

/**
 * What a guarded stream needs, read from context at its first pull.
 *
 * @internal
 */
export interface Setup<A, E, R> {
  readonly open: (feed: Feed<A, E>) => Effect.Effect<void, E, R>
  readonly policy: TimeoutPolicy.TimeoutPolicy
  readonly options?: Options | undefined
}
