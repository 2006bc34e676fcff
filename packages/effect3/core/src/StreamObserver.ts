/**
 * Who is told of each guarded stream's life: for metrics, logs and tests.
 *
 * @since 0.1.0
 */
import * as Notes from "@streamguard/kernel/StreamNote"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Ref from "effect/Ref"

/**
 * Identifies one guarded stream across the observer's calls.
 *
 * `labels` are low-cardinality names the caller chose (profile, dialect, upstream); the metrics
 * observer uses them as tags.
 *
 * @since 0.1.0
 * @category models
 */
export interface StreamInfo extends Notes.StreamInfo {}

/**
 * One batch of events read together: the silence before it (`gapMillis`), its content chunks,
 * pings and bytes.
 *
 * @since 0.1.0
 * @category models
 */
export interface Received extends Notes.Received {}

/**
 * How a stream ended: its outcome, duration, time to the first content, totals, and the failure
 * for failed outcomes.
 *
 * @since 0.1.0
 * @category models
 */
export interface Ended extends Notes.Ended {}

/**
 * An attempt that failed before a response, retried after `delayMillis`.
 *
 * @since 0.1.0
 * @category models
 */
export interface Retrying extends Notes.Retrying {}

/**
 * The lifecycle calls. Each is made once per step, in order: `started`, `retrying` between
 * attempts that failed before a response, `opened` once when the upstream answered and its
 * response started (for a plain stream, at once), then `received` for each batch of events read
 * together (one network read), with `firstChunk` once when the first content arrives, and `ended`
 * exactly once, after the upstream's finalizers ran.
 *
 * @since 0.1.0
 * @category models
 */
export interface Service {
  readonly started: (stream: StreamInfo) => Effect.Effect<void>
  /** The response started, `openedAfterMillis` after the request began (pool, connect and headers). */
  readonly opened: (stream: StreamInfo, openedAfterMillis: number) => Effect.Effect<void>
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
  opened: () => Effect.void,
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
  opened: (stream, millis) => Effect.forEach(observers, (o) => o.opened(stream, millis), { discard: true }),
  received: (stream, received) => Effect.forEach(observers, (o) => o.received(stream, received), { discard: true }),
  firstChunk: (stream, millis) => Effect.forEach(observers, (o) => o.firstChunk(stream, millis), { discard: true }),
  retrying: (stream, retrying) => Effect.forEach(observers, (o) => o.retrying(stream, retrying), { discard: true }),
  ended: (stream, ended) => Effect.forEach(observers, (o) => o.ended(stream, ended), { discard: true })
})

/**
 * An observer layer that tells every given observer, in order (e.g. the metrics and a logger).
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (...observers: ReadonlyArray<Service>): Layer.Layer<never> =>
  Layer.succeed(StreamObserver, observers.length === 1 ? observers[0]! : combine(...observers))

/**
 * One call an observer received, as a recording observer keeps it.
 *
 * @since 0.1.0
 * @category models
 */
export type Call = Notes.Call

/**
 * A recording observer and what it has heard, for tests.
 *
 * @since 0.1.0
 * @category models
 */
export interface Recording {
  readonly observer: Service
  /** Every call so far, in order. */
  readonly calls: Effect.Effect<ReadonlyArray<Call>>
  /**
   * The calls as short names, to compare a lifecycle at a glance: `"started"`, `"opened"`, `"received"`,
   * `"firstChunk"`, `"retrying:<outcome>"`, `"ended:<outcome>"`.
   */
  readonly steps: Effect.Effect<ReadonlyArray<string>>
  /** The `Ended` of every finished stream, in order. */
  readonly ended: Effect.Effect<ReadonlyArray<Ended>>
}

/**
 * The short name of a call, as `Recording.steps` lists it.
 *
 * @since 0.1.0
 * @category models
 */
export const stepOf: (call: Call) => string = Notes.stepOf

/**
 * Makes an observer that records every call, for tests that assert lifecycle sequences.
 *
 * @since 0.1.0
 * @category constructors
 */
export const makeRecording: Effect.Effect<Recording> = Effect.map(Ref.make<ReadonlyArray<Call>>([]), (ref) => {
  const record = (call: Call) => Ref.update(ref, (calls) => [...calls, call])
  const calls = Ref.get(ref)
  return {
    observer: {
      started: (stream) => record({ _tag: "started", stream }),
      opened: (stream, openedAfterMillis) => record({ _tag: "opened", stream, openedAfterMillis }),
      received: (stream, received) => record({ _tag: "received", stream, received }),
      firstChunk: (stream, timeToFirstChunkMillis) => record({ _tag: "firstChunk", stream, timeToFirstChunkMillis }),
      retrying: (stream, retrying) => record({ _tag: "retrying", stream, retrying }),
      ended: (stream, ended) => record({ _tag: "ended", stream, ended })
    },
    calls,
    steps: Effect.map(calls, (all) => all.map(stepOf)),
    ended: Effect.map(calls, (all) => all.flatMap((call) => (call._tag === "ended" ? [call.ended] : [])))
  }
})

/**
 * The recording of the `layerTest` observer.
 *
 * @since 0.1.0
 * @category tags
 */
export class Recorder extends Context.Tag("@streamguard/core/StreamObserver/Recorder")<Recorder, Recording>() {}

/**
 * Installs a fresh recording observer and provides its `Recorder`, for tests:
 * `const steps = yield* Effect.flatMap(StreamObserver.Recorder, (r) => r.steps)`.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerTest: Layer.Layer<Recorder> = Layer.effectContext(
  Effect.map(
    makeRecording,
    (recording) => Context.make(Recorder, recording).pipe(Context.add(StreamObserver, recording.observer))
  )
)
