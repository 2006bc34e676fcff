/**
 * The metrics of guarded streams, as Effect `Metric`s, and the observer that keeps them. Every
 * metric is also given the stream's `labels` (profile, dialect, upstream) as attributes, and
 * `outcome` where it has one.
 *
 * @since 0.1.0
 */
import * as Kernel from "@streamguard/kernel/StreamMetrics"
import type * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Metric from "effect/Metric"
import * as StreamObserver from "./StreamObserver.js"
import type { StreamOutcome } from "./StreamOutcome.js"

/**
 * @since 0.1.0
 * @category models
 */
export type Histogram = Metric.Histogram<number>

type Attributes = Readonly<Record<string, string>>

/** A histogram as the kernel defines it, with `attributes` as its own. */
const histogram = (definition: Kernel.HistogramDefinition, attributes?: Attributes): Histogram =>
  Metric.histogram(definition.name, {
    description: definition.description,
    boundaries: Metric.exponentialBoundaries(definition.buckets),
    attributes
  })

/** A counter as the kernel defines it, with `attributes` as its own. */
const counter = (definition: Kernel.Definition, attributes?: Attributes): Metric.Counter<number> =>
  Metric.counter(definition.name, { description: definition.description, incremental: true, attributes })

/** The gauge of open streams, with `attributes` as its own. */
const gauge = (definition: Kernel.Definition, attributes?: Attributes): Metric.Gauge<number> =>
  Metric.gauge(definition.name, { description: definition.description, attributes })

/**
 * Streams started.
 *
 * @since 0.1.0
 * @category metrics
 */
export const streamsStarted: Metric.Counter<number> = counter(Kernel.streamsStarted)

/**
 * Streams ended, tagged `outcome` (`done`, `error_signal`, `chunk_timeout`, ..., `interrupted`,
 * `consumer_stopped`): the counter by outcome and timeout kind.
 *
 * @since 0.1.0
 * @category metrics
 */
export const streamsEnded: Metric.Counter<number> = counter(Kernel.streamsEnded)

/**
 * Streams open now: up at `started`, down at `ended`.
 *
 * @since 0.1.0
 * @category metrics
 */
export const streamsOpen: Metric.Gauge<number> = gauge(Kernel.streamsOpen)

/**
 * Retries between attempts, tagged `outcome` (the failure that caused them).
 *
 * @since 0.1.0
 * @category metrics
 */
export const retries: Metric.Counter<number> = counter(Kernel.retries)

/**
 * Content chunks received.
 *
 * @since 0.1.0
 * @category metrics
 */
export const chunksReceived: Metric.Counter<number> = counter(Kernel.chunksReceived)

/**
 * Pings received: SSE comments and provider pings, as the stream's `isPing` tells them (`LlmClient`
 * passes its dialect's); lifecycle frames such as `message_start` are not pings.
 *
 * @since 0.1.0
 * @category metrics
 */
export const keepalivesReceived: Metric.Counter<number> = counter(Kernel.keepalivesReceived)

/**
 * Bytes received, as the events' wire sizes say (0 for events whose size is unknown).
 *
 * @since 0.1.0
 * @category metrics
 */
export const bytesReceived: Metric.Counter<number> = counter(Kernel.bytesReceived)

/**
 * Seconds from the request's start to the first content chunk (50 ms to ~7 min: instant answers
 * up to long "thinking" starts).
 *
 * @since 0.1.0
 * @category metrics
 */
export const timeToFirstChunk: Histogram = histogram(Kernel.timeToFirstChunk)

/**
 * Seconds of silence before each batch of upstream events (any event, keepalives included): how
 * close streams come to their `chunk` limit (1 ms to ~2 min).
 *
 * @since 0.1.0
 * @category metrics
 */
export const chunkGap: Histogram = histogram(Kernel.chunkGap)

/**
 * Seconds from the request's start to the stream's end, whatever the outcome (100 ms to ~1.8 h:
 * chat answers up to long research runs).
 *
 * @since 0.1.0
 * @category metrics
 */
export const streamDuration: Histogram = histogram(Kernel.streamDuration)

/** The metrics of one set of labels, made once and shared by every stream with those labels. */
interface Series {
  readonly key: string
  readonly labels: Readonly<Record<string, string>>
  readonly streamsStarted: Metric.Counter<number>
  readonly streamsOpen: Metric.Gauge<number>
  readonly chunksReceived: Metric.Counter<number>
  readonly keepalivesReceived: Metric.Counter<number>
  readonly bytesReceived: Metric.Counter<number>
  readonly timeToFirstChunk: Histogram
  readonly chunkGap: Histogram
  readonly streamDuration: Histogram
}

// Labels are low-cardinality by contract, which bounds these maps. Each series has its labels as
// its own attributes, made once: `Metric.withAttributes` would add them to the fiber's context (a
// copy of the whole context) at every update, several times per network read.
const seriesByKey = new Map<string, Series>()
const seriesByStream = new WeakMap<StreamObserver.StreamInfo, Series>()
const byOutcome = new Map<
  string,
  { readonly streamsEnded: Metric.Counter<number>; readonly retries: Metric.Counter<number> }
>()

const byKey = ([a]: readonly [string, string], [b]: readonly [string, string]) => a < b ? -1 : a > b ? 1 : 0

const seriesOf = (stream: StreamObserver.StreamInfo): Series => {
  const cached = seriesByStream.get(stream)
  if (cached !== undefined) return cached
  const sorted = Object.entries(stream.labels).sort(byKey)
  const key = JSON.stringify(sorted)
  let series = seriesByKey.get(key)
  if (series === undefined) {
    const labels = Object.fromEntries(sorted)
    series = {
      key,
      labels,
      streamsStarted: counter(Kernel.streamsStarted, labels),
      streamsOpen: gauge(Kernel.streamsOpen, labels),
      chunksReceived: counter(Kernel.chunksReceived, labels),
      keepalivesReceived: counter(Kernel.keepalivesReceived, labels),
      bytesReceived: counter(Kernel.bytesReceived, labels),
      timeToFirstChunk: histogram(Kernel.timeToFirstChunk, labels),
      chunkGap: histogram(Kernel.chunkGap, labels),
      streamDuration: histogram(Kernel.streamDuration, labels)
    }
    seriesByKey.set(key, series)
  }
  seriesByStream.set(stream, series)
  return series
}

const outcomeOf = (series: Series, outcome: StreamOutcome) => {
  const key = `${series.key}|${outcome}`
  let metrics = byOutcome.get(key)
  if (metrics === undefined) {
    const labels = { ...series.labels, outcome }
    metrics = { streamsEnded: counter(Kernel.streamsEnded, labels), retries: counter(Kernel.retries, labels) }
    byOutcome.set(key, metrics)
  }
  return metrics
}

/** Direct metric updates in the fiber's own context (its `MetricRegistry`), as one effect. */
const updating =
  (f: (series: Series, context: Context.Context<never>) => void) =>
  (stream: StreamObserver.StreamInfo): Effect.Effect<void> =>
    Effect.withFiber((fiber) => {
      f(seriesOf(stream), fiber.context)
      return Effect.void
    })

/**
 * The observer that keeps the metrics above. Each call is one effect of direct metric updates
 * (the hot path, `received`, runs once per batch of events, not per event).
 *
 * @since 0.1.0
 * @category observers
 */
export const observer: StreamObserver.Service = {
  started: updating((series, context) => {
    series.streamsStarted.updateUnsafe(1, context)
    series.streamsOpen.modifyUnsafe(1, context)
  }),
  opened: () => Effect.void,
  received: (stream, received) =>
    updating((series, context) => {
      series.chunkGap.updateUnsafe(received.gapMillis / 1000, context)
      if (received.chunks > 0) series.chunksReceived.updateUnsafe(received.chunks, context)
      if (received.keepalives > 0) series.keepalivesReceived.updateUnsafe(received.keepalives, context)
      if (received.bytes > 0) series.bytesReceived.updateUnsafe(received.bytes, context)
    })(stream),
  firstChunk: (stream, millis) =>
    updating((series, context) => series.timeToFirstChunk.updateUnsafe(millis / 1000, context))(stream),
  retrying: (stream, retrying) =>
    updating((series, context) => outcomeOf(series, retrying.outcome).retries.updateUnsafe(1, context))(stream),
  ended: (stream, ended) =>
    updating((series, context) => {
      outcomeOf(series, ended.outcome).streamsEnded.updateUnsafe(1, context)
      series.streamsOpen.modifyUnsafe(-1, context)
      series.streamDuration.updateUnsafe(ended.durationMillis / 1000, context)
    })(stream)
}

/**
 * The observer that keeps these metrics, as the `StreamObserver` of everything it is provided to.
 * Combine it with others through `StreamObserver.layer(StreamMetrics.observer, ...)`.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer: Layer.Layer<never> = Layer.succeed(StreamObserver.StreamObserver, observer)
