/**
 * `/metrics`: every Effect metric of the process (core's stream metrics and the gateway's own) in
 * the Prometheus text format.
 *
 * Written by hand over `Metric.snapshot`, each series once. No maintained library writes Effect's
 * metrics in this format: `@effect/opentelemetry` would need the OpenTelemetry metrics SDK and its
 * Prometheus exporter (whose current releases require Node 22) beside Effect's own registry, and
 * `prom-client` keeps a registry of its own. The text format is small and stable, and a test reads
 * the whole output with a Prometheus text parser.
 *
 * @since 0.1.0
 */
import { Effect, Metric, MetricState, Option } from "effect"
import type { MetricPair } from "effect"

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
 * Requests in flight right now: streams being relayed and non-streamed calls being answered
 * (those a graceful shutdown waits for). Back to 0 once every request ended, whichever way.
 *
 * @since 0.1.0
 * @category metrics
 */
export const inFlight = Metric.gauge("streamguard_gateway_streams_in_flight", {
  description: "requests in flight: streams being relayed and non-streamed calls being answered"
})

const escapeLabel = (value: string): string => value.replace(/\\/g, "\\\\").replace(/\n/g, "\\n").replace(/"/g, "\\\"")

const sanitize = (name: string): string => name.replace(/[^a-zA-Z0-9_:]/g, "_")

const labels = (tags: ReadonlyArray<{ readonly key: string; readonly value: string }>, extra?: string): string => {
  const parts = tags.map((tag) => `${sanitize(tag.key)}="${escapeLabel(tag.value)}"`)
  if (extra !== undefined) parts.push(extra)
  return parts.length === 0 ? "" : `{${parts.join(",")}}`
}

const number = (n: number | bigint): string =>
  typeof n === "bigint" ? n.toString() : Number.isFinite(n) ? String(n) : n > 0 ? "+Inf" : n < 0 ? "-Inf" : "NaN"

/**
 * Formats metric pairs as Prometheus text (version 0.0.4): counters, gauges, histograms
 * (cumulative buckets, `_sum`, `_count`), summaries, and frequencies as counters by `key`.
 *
 * @since 0.1.0
 * @category formatting
 */
export const format = (pairs: ReadonlyArray<MetricPair.MetricPair.Untyped>): string => {
  const byName = new Map<string, { help: string | undefined; type: string; lines: Array<string> }>()
  const family = (name: string, type: string, help: string | undefined) => {
    let entry = byName.get(name)
    if (entry === undefined) {
      entry = { help, type, lines: [] }
      byName.set(name, entry)
    }
    return entry.lines
  }
  for (const pair of pairs) {
    const name = sanitize(pair.metricKey.name)
    const help = Option.getOrUndefined(pair.metricKey.description)
    const tags = pair.metricKey.tags
    const state = pair.metricState
    if (MetricState.isCounterState(state)) {
      family(name, "counter", help).push(`${name}${labels(tags)} ${number(state.count)}`)
    } else if (MetricState.isGaugeState(state)) {
      family(name, "gauge", help).push(`${name}${labels(tags)} ${number(state.value)}`)
    } else if (MetricState.isHistogramState(state)) {
      const lines = family(name, "histogram", help)
      // Effect's boundaries end with +Infinity: its bucket is the `le="+Inf"` series already.
      let inf = false
      for (const [bound, count] of state.buckets) {
        if (bound === Infinity) inf = true
        lines.push(`${name}_bucket${labels(tags, `le="${number(bound)}"`)} ${count}`)
      }
      if (!inf) lines.push(`${name}_bucket${labels(tags, `le="+Inf"`)} ${state.count}`)
      lines.push(`${name}_sum${labels(tags)} ${number(state.sum)}`)
      lines.push(`${name}_count${labels(tags)} ${state.count}`)
    } else if (MetricState.isSummaryState(state)) {
      const lines = family(name, "summary", help)
      for (const [quantile, value] of state.quantiles) {
        lines.push(`${name}${labels(tags, `quantile="${quantile}"`)} ${number(Option.getOrElse(value, () => NaN))}`)
      }
      lines.push(`${name}_sum${labels(tags)} ${number(state.sum)}`)
      lines.push(`${name}_count${labels(tags)} ${state.count}`)
    } else if (MetricState.isFrequencyState(state)) {
      const lines = family(name, "counter", help)
      for (const [key, count] of state.occurrences) {
        lines.push(`${name}${labels(tags, `key="${escapeLabel(key)}"`)} ${count}`)
      }
    }
  }
  const out: Array<string> = []
  for (const [name, entry] of [...byName].sort(([a], [b]) => a.localeCompare(b))) {
    if (entry.help !== undefined) out.push(`# HELP ${name} ${entry.help.replace(/\n/g, " ")}`)
    out.push(`# TYPE ${name} ${entry.type}`)
    out.push(...entry.lines)
  }
  return out.join("\n") + "\n"
}

/**
 * The current metrics as Prometheus text.
 *
 * @since 0.1.0
 * @category formatting
 */
export const render: Effect.Effect<string> = Effect.map(Metric.snapshot, format)
