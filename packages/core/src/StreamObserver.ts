/**
 * Who is told of each guarded stream's life: for metrics, logs and tests.
 *
 * @since 0.1.0
 */
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type { StreamOutcome } from "./StreamOutcome.js"

/**
 * Identifies one guarded stream across the observer's calls.
 *
 * `labels` are low-cardinality names the caller chose (profile, dialect, upstream); the metrics
 * observer uses them as tags.
 *
 * @since 0.1.0
 * @category models
 */
export interface StreamInfo {
  readonly id: number
  readonly labels: Readonly<Record<string, string>>
  /** When the request began, in Clock millis. */
  readonly startedAt: number
}

/**
 * @since 0.1.0
 * @category models
 */
export interface Received {
  /** Silence before this batch: time since the previous event, or since the start. */
  readonly gapMillis: number
  readonly chunks: number
  readonly keepalives: number
  readonly bytes: number
}

/**
 * @since 0.1.0
 * @category models
 */
export interface Ended {
  readonly outcome: StreamOutcome
  readonly durationMillis: number
  /** Time to the first content chunk, when one arrived. */
  readonly timeToFirstChunkMillis: number | undefined
  readonly chunks: number
  readonly keepalives: number
  readonly bytes: number
  /** The failure, for failed outcomes. */
  readonly error: unknown
}

/**
 * @since 0.1.0
 * @category models
 */
export interface Retrying {
  /** The attempt that failed, from 1. */
  readonly attempt: number
  readonly outcome: StreamOutcome
  readonly delayMillis: number
}

/**
 * The lifecycle calls. Each is made once per step, in order: `started`, then `received` for each
 * batch of events read together (one network read), with `firstChunk` once when the first
 * content arrives, `retrying` between attempts, and `ended` exactly once, after the upstream's
 * finalizers ran.
 *
 * @since 0.1.0
 * @category models
 */
export interface Service {
  readonly started: (stream: StreamInfo) => Effect.Effect<void>
  readonly received: (stream: StreamInfo, received: Received) => Effect.Effect<void>
  readonly firstChunk: (stream: StreamInfo, timeToFirstChunkMillis: number) => Effect.Effect<void>
  readonly retrying: (stream: StreamInfo, retrying: Retrying) => Effect.Effect<void>
  readonly ended: (stream: StreamInfo, ended: Ended) => Effect.Effect<void>
}

/**
 * An observer that ignores everything.
 *
 * @since 0.1.0
 * @category constructors
 */
export const noopService: Service = {
  started: () => Effect.void,
  received: () => Effect.void,
  firstChunk: () => Effect.void,
  retrying: () => Effect.void,
  ended: () => Effect.void
}

/**
 * The observer of guarded streams. A `Context.Reference`: when no layer provides one, streams are
 * observed by nobody (`noop`), so using the guard never requires it.
 *
 * @since 0.1.0
 * @category tags
 */
export class StreamObserver extends Context.Reference<StreamObserver>()("@streamguard/core/StreamObserver", {
  defaultValue: () => noopService
}) {}

/**
 * @since 0.1.0
 * @category layers
 */
export const noop: Layer.Layer<never> = Layer.succeed(StreamObserver, noopService)

/**
 * An observer that tells every given observer, in order.
 *
 * @since 0.1.0
 * @category combinators
 */
export const combine = (...observers: ReadonlyArray<Service>): Service => ({
  started: (stream) => Effect.forEach(observers, (o) => o.started(stream), { discard: true }),
  received: (stream, received) => Effect.forEach(observers, (o) => o.received(stream, received), { discard: true }),
  firstChunk: (stream, millis) => Effect.forEach(observers, (o) => o.firstChunk(stream, millis), { discard: true }),
  retrying: (stream, retrying) => Effect.forEach(observers, (o) => o.retrying(stream, retrying), { discard: true }),
  ended: (stream, ended) => Effect.forEach(observers, (o) => o.ended(stream, ended), { discard: true })
})
