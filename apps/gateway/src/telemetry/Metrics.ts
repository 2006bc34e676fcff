/**
 * The gateway's own metrics, beside core's stream metrics: requests answered, and the OpenTelemetry
 * GenAI client metrics of each proxied call (its duration, and for a stream its time to the first
 * chunk), read from the relay's end records. They are Effect metrics; `Telemetry` serves them on
 * `/metrics`, with the others the gateway keeps where it counts them (requests in flight in
 * `Lifecycle`, attempts in `Attempt`, what was delivered in `Delivered`, the rate limits'.)
 *
 * @since 0.1.0
 */
import { Effect, Metric, MetricBoundaries, MetricLabel } from "effect"
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

const requestsByKey = new Map<string, Effect.Effect<void>>()

/**
 * Counts one request answered with `status` on `endpoint`. The tagged counter of each pair is made
 * once: tagging builds and hashes a new metric key, and this runs for every request.
 *
 * @since 0.1.0
 * @category metrics
 */
export const requestsBy = (endpoint: string, status: number): Effect.Effect<void> => {
  const key = `${endpoint} ${status}`
  let increment = requestsByKey.get(key)
  if (increment === undefined) {
    increment = Metric.increment(Metric.tagged(Metric.tagged(requests, "endpoint", endpoint), "status", String(status)))
    requestsByKey.set(key, increment)
  }
  return increment
}

/**
 * GenAI operation duration, in seconds, as the OpenTelemetry GenAI semantic conventions name it
 * (`gen_ai.client.operation.duration`, their advised buckets): each proxied call from the moment
 * the gateway took it to its end, streamed or not, tagged `error.type` (the outcome) unless it ended
 * `done`.
 *
 * @since 0.1.0
 * @category metrics
 */
export const operationDuration = Metric.histogram(
  "gen_ai.client.operation.duration",
  // The conventions' advice: 0.01, 0.02, 0.04, ... 81.92.
  MetricBoundaries.exponential({ start: 0.01, factor: 2, count: 14 }),
  "GenAI operation duration (seconds): each proxied call from its start to its end, streamed or not"
)

/**
 * Time to the first chunk of a streamed call, in seconds, as the OpenTelemetry GenAI semantic
 * conventions name it (`gen_ai.client.operation.time_to_first_chunk`): from the start of the
 * upstream call to its first content chunk. Streams only, and only those that got one.
 *
 * @since 0.1.0
 * @category metrics
 */
export const timeToFirstChunk = Metric.histogram(
  "gen_ai.client.operation.time_to_first_chunk",
  // The conventions' advice for a time to the first token.
  MetricBoundaries.fromIterable([0.001, 0.005, 0.01, 0.02, 0.04, 0.06, 0.08, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10]),
  "Time to the first chunk of a streamed call (seconds), from the start of the upstream call"
)

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
export const tokenUsage = Metric.histogram(
  "gen_ai.client.token.usage",
  // The conventions' advice: 1, 4, 16, ... 67108864.
  MetricBoundaries.exponential({ start: 1, factor: 4, count: 14 }),
  "GenAI token usage of each proxied call, by token type (input, output)"
)

/**
 * The `gen_ai.provider.name` of an endpoint: the API the upstream speaks.
 *
 * @since 0.1.0
 * @category metrics
 */
export const providerOf = (endpoint: string): string =>
  endpoint === "openaiChat" || endpoint === "openaiResponses" ? "openai" : endpoint

// Built once per distinct tag set, as core's: a request's tags come from a small set (endpoint,
// profile, upstream, outcome), and building a metric key per request would hash it each time.
const tagsByKey = new Map<string, ReadonlyArray<MetricLabel.MetricLabel>>()

const tagsOf = (record: StreamLog.Record): ReadonlyArray<MetricLabel.MetricLabel> => {
  const errorType = record.outcome === "done" ? undefined : record.outcome
  const key = `${record.endpoint} ${record.profile} ${record.upstream} ${errorType ?? ""}`
  let tags = tagsByKey.get(key)
  if (tags === undefined) {
    // Sorted by name: Effect tells series apart by the order of their tags too.
    const entries: Array<[string, string]> = [
      ["gen_ai.operation.name", "chat"],
      ["gen_ai.provider.name", providerOf(record.endpoint)],
      ["profile", record.profile],
      ["upstream", record.upstream]
    ]
    if (errorType !== undefined) entries.push(["error.type", errorType])
    tags = entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([key, value]) => MetricLabel.make(key, value))
    tagsByKey.set(key, tags)
  }
  return tags
}

/**
 * Records the GenAI metrics of one request's end, from its end record (the log line's).
 *
 * @since 0.1.0
 * @category metrics
 */
export const ended = (record: StreamLog.Record): Effect.Effect<void> =>
  Effect.sync(() => {
    const tags = tagsOf(record)
    operationDuration.unsafeUpdate(record.durationMs / 1000, tags)
    if (record.stream && record.ttfcMs !== undefined) timeToFirstChunk.unsafeUpdate(record.ttfcMs / 1000, tags)
    const usage = record.usage
    if (usage !== undefined) {
      const typed = tokenTagsOf(tags)
      tokenUsage.unsafeUpdate(usage.outputTokens, typed.output)
      if (usage.inputTokens !== undefined) tokenUsage.unsafeUpdate(usage.inputTokens, typed.input)
    }
  })

const byKey = (a: MetricLabel.MetricLabel, b: MetricLabel.MetricLabel) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0)

// The token metric's tags: a request's tags and the token type, built once per tag set as above.
const tokenTags = new WeakMap<
  ReadonlyArray<MetricLabel.MetricLabel>,
  { readonly input: ReadonlyArray<MetricLabel.MetricLabel>; readonly output: ReadonlyArray<MetricLabel.MetricLabel> }
>()

const tokenTagsOf = (tags: ReadonlyArray<MetricLabel.MetricLabel>) => {
  let typed = tokenTags.get(tags)
  if (typed === undefined) {
    const typeOf = (type: string) => [...tags, MetricLabel.make("gen_ai.token.type", type)].sort(byKey)
    typed = { input: typeOf("input"), output: typeOf("output") }
    tokenTags.set(tags, typed)
  }
  return typed
}
