/**
 * The metrics of guarded streams as data: each one's name, description and, for a histogram, its
 * buckets. Every line keeps the same metrics under the same names (dashboards and alerts read
 * them), made with its own Effect's `Metric`.
 *
 * @since 0.1.0
 */

/**
 * A metric's name and what it counts.
 *
 * @since 0.1.0
 * @category models
 */
export interface Definition {
  readonly name: string
  readonly description: string
}

/**
 * A histogram's definition, with exponential buckets: `count` boundaries from `start`, each
 * `factor` times the one before.
 *
 * @since 0.1.0
 * @category models
 */
export interface HistogramDefinition extends Definition {
  readonly buckets: { readonly start: number; readonly factor: number; readonly count: number }
}

/**
 * Streams started (a counter).
 *
 * @since 0.1.0
 * @category metrics
 */
export const streamsStarted: Definition = {
  name: "streamguard_streams_started_total",
  description: "Guarded streams started"
}

/**
 * Streams ended, tagged `outcome` (a counter).
 *
 * @since 0.1.0
 * @category metrics
 */
export const streamsEnded: Definition = {
  name: "streamguard_streams_ended_total",
  description: "Guarded streams ended, by outcome"
}

/**
 * Streams open now (a gauge).
 *
 * @since 0.1.0
 * @category metrics
 */
export const streamsOpen: Definition = { name: "streamguard_streams_open", description: "Guarded streams open now" }

/**
 * Retries between attempts, tagged `outcome` (a counter).
 *
 * @since 0.1.0
 * @category metrics
 */
export const retries: Definition = {
  name: "streamguard_stream_retries_total",
  description: "Stream attempts retried, by the outcome of the failed attempt"
}

/**
 * Content chunks received (a counter).
 *
 * @since 0.1.0
 * @category metrics
 */
export const chunksReceived: Definition = {
  name: "streamguard_chunks_received_total",
  description: "Content chunks received from upstreams"
}

/**
 * Pings received (a counter).
 *
 * @since 0.1.0
 * @category metrics
 */
export const keepalivesReceived: Definition = {
  name: "streamguard_keepalives_received_total",
  description: "Keepalive pings received from upstreams (lifecycle frames not counted)"
}

/**
 * Bytes received (a counter).
 *
 * @since 0.1.0
 * @category metrics
 */
export const bytesReceived: Definition = {
  name: "streamguard_bytes_received_total",
  description: "Event bytes received from upstreams"
}

/**
 * Seconds to the first content chunk: 50 ms to ~7 min, instant answers up to long "thinking" starts.
 *
 * @since 0.1.0
 * @category metrics
 */
export const timeToFirstChunk: HistogramDefinition = {
  name: "streamguard_time_to_first_chunk_seconds",
  description: "Seconds from the request's start to the first content chunk",
  buckets: { start: 0.05, factor: 2, count: 14 }
}

/**
 * Seconds of silence before each batch of events: 1 ms to ~2 min.
 *
 * @since 0.1.0
 * @category metrics
 */
export const chunkGap: HistogramDefinition = {
  name: "streamguard_chunk_gap_seconds",
  description: "Seconds of silence before each batch of upstream events",
  buckets: { start: 0.001, factor: 2, count: 18 }
}

/**
 * Seconds from the request's start to the stream's end: 100 ms to ~1.8 h, chat answers up to long
 * research runs.
 *
 * @since 0.1.0
 * @category metrics
 */
export const streamDuration: HistogramDefinition = {
  name: "streamguard_stream_duration_seconds",
  description: "Seconds from the request's start to the stream's end",
  buckets: { start: 0.1, factor: 2, count: 17 }
}
