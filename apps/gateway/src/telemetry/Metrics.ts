/**
 * The gateway's own metrics, beside core's stream metrics: requests answered, and the OpenTelemetry
 * GenAI client metrics of each proxied call (its duration, and for a stream its time to the first
 * chunk), read from the relay's end records. They are Effect metrics; `Telemetry` serves them on
 * `/metrics`, with the others the gateway keeps where it counts them (requests in flight in
 * `Lifecycle`, attempts in `Attempt`, what was delivered in `Delivered`, the rate limits'.)
 *
 * @since 0.1.0
 */
import { Effect, Metric } from "effect"
import { ownCounter } from "../relay/OwnCounter.js"
import type * as StreamLog from "../relay/StreamLog.js"

/**
 * Requests answered, by endpoint and status.
 *
 * @since 0.1.0
 * @category metrics
 */
export const requests = Metric.counter("streamguard_gateway_requests_total", {
  description: "HTTP requests answered by the gateway, by endpoint and status",
  incremental: true
})

/**
 * Counts one request answered with `status` on `endpoint`, in that pair's own series
 * (`ownCounter`): this runs for every request.
 *
 * @since 0.1.0
 * @category metrics
 */
export const requestsBy = (endpoint: string, status: number): Effect.Effect<void> =>
  Metric.update(ownCounter(requests, { endpoint, status: String(status) }), 1)

// The conventions' advice: 0.01, 0.02, 0.04, ... 81.92.
const durationBoundaries = Metric.exponentialBoundaries({ start: 0.01, factor: 2, count: 14 })

// The conventions' advice: 1, 4, 16, ... 67108864.
const tokenBoundaries = Metric.exponentialBoundaries({ start: 1, factor: 4, count: 14 })

/**
 * GenAI operation duration, in seconds, as the OpenTelemetry GenAI semantic conventions name it
 * (`gen_ai.client.operation.duration`, their advised buckets): each proxied call from the moment
 * the gateway took it to its end, streamed or not, tagged `error.type` (the outcome) unless it ended
 * `done`.
 *
 * @since 0.1.0
 * @category metrics
 */
export const operationDuration = Metric.histogram("gen_ai.client.operation.duration", {
  boundaries: durationBoundaries,
  description: "GenAI operation duration (seconds): each proxied call from its start to its end, streamed or not"
})

// The conventions' advice for a time to the first token.
const firstChunkBoundaries = Metric.boundariesFromIterable([
  0.001,
  0.005,
  0.01,
  0.02,
  0.04,
  0.06,
  0.08,
  0.1,
  0.25,
  0.5,
  0.75,
  1,
  2.5,
  5,
  7.5,
  10
])

/**
 * Time to the first chunk of a streamed call, in seconds, as the OpenTelemetry GenAI semantic
 * conventions name it (`gen_ai.client.operation.time_to_first_chunk`): from the start of the
 * upstream call to its first content chunk. Streams only, and only those that got one.
 *
 * @since 0.1.0
 * @category metrics
 */
export const timeToFirstChunk = Metric.histogram("gen_ai.client.operation.time_to_first_chunk", {
  boundaries: firstChunkBoundaries,
  description: "Time to the first chunk of a streamed call (seconds), from the start of the upstream call"
})

/**
 * Tokens of each streamed call, as the OpenTelemetry GenAI semantic conventions name it
 * (`gen_ai.client.token.usage`, their advised buckets), tagged `gen_ai.token.type` (`input`,
 * `output`): the upstream's own counts when it sent them, else the output estimated from the
 * characters delivered (see the end line's `usage.tokens`). Input is recorded only when the
 * upstream said.
 *
 * @since 0.1.0
 * @category metrics
 */
export const tokenUsage = Metric.histogram("gen_ai.client.token.usage", {
  boundaries: tokenBoundaries,
  description: "GenAI token usage of each proxied call, by token type (input, output)"
})

/**
 * The `gen_ai.provider.name` of an endpoint: the API the upstream speaks.
 *
 * @since 0.1.0
 * @category metrics
 */
export const providerOf = (endpoint: string): string =>
  endpoint === "openaiChat" || endpoint === "openaiResponses" ? "openai" : endpoint

/** The GenAI metrics of one set of attributes. */
interface Series {
  readonly operationDuration: Metric.Histogram<number>
  readonly timeToFirstChunk: Metric.Histogram<number>
  readonly inputTokens: Metric.Histogram<number>
  readonly outputTokens: Metric.Histogram<number>
}

// Built once per distinct attribute set: a request's attributes come from a small set (endpoint,
// profile, upstream, outcome). Each histogram has them as its own, where `Metric.withAttributes`
// would add them to the fiber's context (a copy of it) at every update.
const seriesByKey = new Map<string, Series>()

/** `attributes` with its keys in order: Effect tells series apart by the order of their keys too. */
const sorted = (attributes: Record<string, string>): Record<string, string> =>
  Object.fromEntries(Object.entries(attributes).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))

/** `histogram` again, with `attributes` as its own. */
const withOwn = (
  histogram: Metric.Histogram<number>,
  boundaries: ReadonlyArray<number>,
  attributes: Record<string, string>
): Metric.Histogram<number> =>
  Metric.histogram(histogram.id, { description: histogram.description, boundaries, attributes: sorted(attributes) })

const seriesOf = (record: StreamLog.Record): Series => {
  const errorType = record.outcome === "done" ? undefined : record.outcome
  const key = `${record.endpoint} ${record.profile} ${record.upstream} ${errorType ?? ""}`
  let series = seriesByKey.get(key)
  if (series === undefined) {
    const attributes: Record<string, string> = {
      "gen_ai.operation.name": "chat",
      "gen_ai.provider.name": providerOf(record.endpoint),
      profile: record.profile,
      upstream: record.upstream,
      ...(errorType === undefined ? {} : { "error.type": errorType })
    }
    const tokens = (type: string) => withOwn(tokenUsage, tokenBoundaries, { ...attributes, "gen_ai.token.type": type })
    series = {
      operationDuration: withOwn(operationDuration, durationBoundaries, attributes),
      timeToFirstChunk: withOwn(timeToFirstChunk, firstChunkBoundaries, attributes),
      inputTokens: tokens("input"),
      outputTokens: tokens("output")
    }
    seriesByKey.set(key, series)
  }
  return series
}

/**
 * Records the GenAI metrics of one request's end, from its end record (the log line's).
 *
 * @since 0.1.0
 * @category metrics
 */
export const ended = (record: StreamLog.Record): Effect.Effect<void> =>
  Effect.withFiber((fiber) => {
    const series = seriesOf(record)
    const context = fiber.context
    series.operationDuration.updateUnsafe(record.durationMs / 1000, context)
    if (record.stream && record.ttfcMs !== undefined) {
      series.timeToFirstChunk.updateUnsafe(record.ttfcMs / 1000, context)
    }
    const usage = record.usage
    if (usage !== undefined) {
      series.outputTokens.updateUnsafe(usage.outputTokens, context)
      if (usage.inputTokens !== undefined) series.inputTokens.updateUnsafe(usage.inputTokens, context)
    }
    return Effect.void
  })
