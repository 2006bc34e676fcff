/**
 * The metrics of guarded streams, as Effect `Metric`s, and the observer that keeps them. Every
 * metric is also tagged with the stream's `labels` (profile, dialect, upstream), tags sorted by
 * name (Effect tells series apart by the order of their tags too: read them in that order).
 *
 * @since 0.1.0
 */
import * as Kernel from "@streamguard/kernel/StreamMetrics"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Metric from "effect/Metric"
import * as MetricBoundaries from "effect/MetricBoundaries"
import type * as MetricKeyType from "effect/MetricKeyType"
import * as MetricLabel from "effect/MetricLabel"
import type * as MetricState from "effect/MetricState"
import * as StreamObserver from "./StreamObserver.js"
import type { StreamOutcome } from "./StreamOutcome.js"

/**
 * @since 0.1.0
 * @category models
 */
export type Histogram = Metric.Metric<MetricKeyType.MetricKeyType.Histogram, number, MetricState.MetricState.Histogram>

/** A histogram as the kernel defines it. */
const histogram = (definition: Kernel.HistogramDefinition): Histogram =>
  Metric.histogram(definition.name, MetricBoundaries.exponential(definition.buckets), definition.description)

/** A counter as the kernel defines it. */
const counter = (definition: Kernel.Definition): Metric.Metric.Counter<number> =>
  Metric.counter(definition.name, { description: definition.description, incremental: true })

/**
 * Streams started.
 *
 * @since 0.1.0
 * @category metrics
 */
export const streamsStarted: Metric.Metric.Counter<number> = counter(Kernel.streamsStarted)

/**
 * Streams ended, tagged `outcome` (`done`, `error_signal`, `chunk_timeout`, ..., `interrupted`,
 * `consumer_stopped`): the counter by outcome and timeout kind.
 *
 * @since 0.1.0
 * @category metrics
 */
export const streamsEnded: Metric.Metric.Counter<number> = counter(Kernel.streamsEnded)

/**
 * Streams open now: up at `started`, down at `ended`.
 *
 * @since 0.1.0
 * @category metrics
 */
export const streamsOpen: Metric.Metric.Gauge<number> = Metric.gauge(Kernel.streamsOpen.name, {
  description: Kernel.streamsOpen.description
})

/**
 * Retries between attempts, tagged `outcome` (the failure that caused them).
 *
 * @since 0.1.0
 * @category metrics
 */
export const retries: Metric.Metric.Counter<number> = counter(Kernel.retries)

/**
 * Content chunks received.
 *
 * @since 0.1.0
 * @category metrics
 */
export const chunksReceived: Metric.Metric.Counter<number> = counter(Kernel.chunksReceived)

/**
 * Pings received: SSE comments and provider pings, as the stream's `isPing` tells them (`LlmClient`
 * passes its dialect's); lifecycle frames such as `message_start` are not pings.
 *
 * @since 0.1.0
 * @category metrics
 */
export const keepalivesReceived: Metric.Metric.Counter<number> = counter(Kernel.keepalivesReceived)

/**
 * Bytes received, as the events' wire sizes say (0 for events whose size is unknown).
 *
 * @since 0.1.0
 * @category metrics
 */
export const bytesReceived: Metric.Metric.Counter<number> = counter(Kernel.bytesReceived)

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

/** The tags of one stream, built once at `started` so the per-batch updates reuse them. */
interface Tags {
  readonly key: string
  readonly labels: ReadonlyArray<MetricLabel.MetricLabel>
}

// Metric hooks are cached per tag array identity, so streams with the same labels share one array
// (labels are low-cardinality by contract, which bounds these maps).
const tagsByKey = new Map<string, Tags>()
const outcomeTags = new Map<string, ReadonlyArray<MetricLabel.MetricLabel>>()
const tagsByStream = new WeakMap<StreamObserver.StreamInfo, Tags>()

const byKey = (a: MetricLabel.MetricLabel, b: MetricLabel.MetricLabel): number =>
  a.key < b.key ? -1 : a.key > b.key ? 1 : 0

const tagsOf = (stream: StreamObserver.StreamInfo): Tags => {
  const cached = tagsByStream.get(stream)
  if (cached !== undefined) return cached
  const labels = Object.entries(stream.labels).map(([name, value]) => MetricLabel.make(name, value)).sort(byKey)
  const key = JSON.stringify(labels.map((label) => [label.key, label.value]))
  let tags = tagsByKey.get(key)
  if (tags === undefined) {
    tags = { key, labels }
    tagsByKey.set(key, tags)
  }
  tagsByStream.set(stream, tags)
  return tags
}

const withOutcome = (tags: Tags, outcome: StreamOutcome): ReadonlyArray<MetricLabel.MetricLabel> => {
  const key = `${tags.key}|${outcome}`
  let labels = outcomeTags.get(key)
  if (labels === undefined) {
    labels = [...tags.labels, MetricLabel.make("outcome", outcome)].sort(byKey)
    outcomeTags.set(key, labels)
  }
  return labels
}

/**
 * The observer that keeps the metrics above. Each call is one `Effect.sync` of direct metric
 * updates (the hot path, `received`, runs once per batch of events, not per event).
 *
 * @since 0.1.0
 * @category observers
 */
export const observer: StreamObserver.Service = {
  started: (stream) =>
    Effect.sync(() => {
      const tags = tagsOf(stream)
      streamsStarted.unsafeUpdate(1, tags.labels)
      streamsOpen.unsafeModify(1, tags.labels)
    }),
  opened: () => Effect.void,
  received: (stream, received) =>
    Effect.sync(() => {
      const tags = tagsOf(stream).labels
      chunkGap.unsafeUpdate(received.gapMillis / 1000, tags)
      if (received.chunks > 0) chunksReceived.unsafeUpdate(received.chunks, tags)
      if (received.keepalives > 0) keepalivesReceived.unsafeUpdate(received.keepalives, tags)
      if (received.bytes > 0) bytesReceived.unsafeUpdate(received.bytes, tags)
    }),
  firstChunk: (stream, millis) =>
    Effect.sync(() => timeToFirstChunk.unsafeUpdate(millis / 1000, tagsOf(stream).labels)),
  retrying: (stream, retrying) =>
    Effect.sync(() => retries.unsafeUpdate(1, withOutcome(tagsOf(stream), retrying.outcome))),
  ended: (stream, ended) =>
    Effect.sync(() => {
      const tags = tagsOf(stream)
      streamsEnded.unsafeUpdate(1, withOutcome(tags, ended.outcome))
      streamsOpen.unsafeModify(-1, tags.labels)
      streamDuration.unsafeUpdate(ended.durationMillis / 1000, tags.labels)
    })
}

/**
 * The observer that keeps these metrics, as the `StreamObserver` of everything it is provided to.
 * Combine it with others through `StreamObserver.layer(StreamMetrics.observer, ...)`.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer: Layer.Layer<never> = Layer.succeed(StreamObserver.StreamObserver, observer)
