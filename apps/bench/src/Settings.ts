/**
 * How big each scenario runs in each mode. `full` is the reference run (a few minutes), `quick`
 * a check under a minute, `smoke` a few seconds that only proves every metric is produced.
 *
 * @since 0.1.0
 */

/**
 * @since 0.1.0
 * @category models
 */
export type Mode = "smoke" | "quick" | "full"

/**
 * The sizes of a scenario holding idle streams open through one proxy (a gateway, or a relay).
 *
 * @since 0.1.0
 * @category models
 */
export interface IdleSettings {
  /** Streams held open through the proxy at once. */
  readonly streams: number
  /**
   * The streams are opened evenly over this long. One keep-alive interval of the gateway (15 s by
   * default) spreads their keep-alives evenly too, so the window sees a steady share of them.
   */
  readonly openSpreadMillis: number
  /** How long the open streams stay silent while the proxy's CPU is measured. */
  readonly idleMillis: number
  /** Each run gets fresh processes (the proxy's and the reader's). */
  readonly runs: number
}

/**
 * @since 0.1.0
 * @category models
 */
export interface Settings {
  readonly chunkOverhead: {
    /** Content chunks per measured stream. */
    readonly chunks: number
    /** Content chunks of the warm-up stream (JIT, pools, lazy modules). */
    readonly warmupChunks: number
    readonly runs: number
  }
  readonly idleMemory: {
    /** Streams held open at once. */
    readonly streams: number
    /** How long the open streams stay silent while process CPU is measured. */
    readonly idleMillis: number
    /** Each run is a fresh process: freed pages would otherwise hide the next run's growth. */
    readonly runs: number
  }
  readonly timeoutPrecision: {
    readonly streams: number
    readonly chunkTimeoutMillis: number
    readonly runs: number
  }
  readonly cancelLatency: {
    readonly streams: number
    readonly chunkTimeoutMillis: number
    readonly runs: number
  }
  readonly gatewayIdle: IdleSettings
  /** The same at 9,000 streams: two descriptors each in the gateway, near a 20,000 limit. */
  readonly gatewayIdle9k: IdleSettings
  /** Idle streams through the relay, once per upstream protocol. */
  readonly upstreamHttp2: IdleSettings
  readonly gatewayOverhead: {
    /** Content chunks of the single-stream throughput run. */
    readonly chunks: number
    /** Concurrent streams of the many-stream runs, and each one's content chunks. */
    readonly concurrency: number
    readonly chunksPerConcurrentStream: number
    /** Paced streams (fixed gap, no jitter) for the per-chunk latency, `pacedRounds` one at a time. */
    readonly pacedChunks: number
    readonly pacedGapMillis: number
    readonly pacedRounds: number
    readonly runs: number
  }
}

/**
 * The sizes per mode. The simulator writes one frame per socket write at a few thousand frames
 * per second on a small machine, so the chunk counts are what fits the time each mode promises
 * (see the README).
 *
 * @since 0.1.0
 * @category constants
 */
export const byMode: { readonly [M in Mode]: Settings } = {
  smoke: {
    chunkOverhead: { chunks: 200, warmupChunks: 50, runs: 1 },
    // Enough streams that each consumer's RSS moves by pages: at 20 it could read no growth at all,
    // and a ratio over it no number.
    idleMemory: { streams: 200, idleMillis: 200, runs: 1 },
    timeoutPrecision: { streams: 10, chunkTimeoutMillis: 200, runs: 1 },
    cancelLatency: { streams: 10, chunkTimeoutMillis: 100, runs: 1 },
    gatewayIdle: { streams: 20, openSpreadMillis: 0, idleMillis: 200, runs: 1 },
    // Not in the smoke run (a full-run scenario): these sizes serve `--smoke --only gatewayIdle9k`.
    gatewayIdle9k: { streams: 100, openSpreadMillis: 0, idleMillis: 200, runs: 1 },
    upstreamHttp2: { streams: 50, openSpreadMillis: 0, idleMillis: 200, runs: 1 },
    gatewayOverhead: {
      chunks: 200,
      concurrency: 5,
      chunksPerConcurrentStream: 20,
      pacedChunks: 3,
      pacedGapMillis: 10,
      pacedRounds: 3,
      runs: 1
    }
  },
  quick: {
    chunkOverhead: { chunks: 5_000, warmupChunks: 1_000, runs: 3 },
    idleMemory: { streams: 1_000, idleMillis: 1_000, runs: 1 },
    timeoutPrecision: { streams: 200, chunkTimeoutMillis: 1_000, runs: 2 },
    cancelLatency: { streams: 50, chunkTimeoutMillis: 300, runs: 2 },
    gatewayIdle: { streams: 500, openSpreadMillis: 15_000, idleMillis: 2_000, runs: 1 },
    gatewayIdle9k: { streams: 9_000, openSpreadMillis: 15_000, idleMillis: 2_000, runs: 1 },
    upstreamHttp2: { streams: 500, openSpreadMillis: 2_000, idleMillis: 2_000, runs: 1 },
    gatewayOverhead: {
      chunks: 2_000,
      concurrency: 100,
      chunksPerConcurrentStream: 30,
      pacedChunks: 5,
      pacedGapMillis: 20,
      pacedRounds: 10,
      runs: 1
    }
  },
  full: {
    chunkOverhead: { chunks: 50_000, warmupChunks: 5_000, runs: 5 },
    idleMemory: { streams: 10_000, idleMillis: 10_000, runs: 2 },
    timeoutPrecision: { streams: 1_000, chunkTimeoutMillis: 1_000, runs: 5 },
    cancelLatency: { streams: 500, chunkTimeoutMillis: 1_000, runs: 3 },
    gatewayIdle: { streams: 2_000, openSpreadMillis: 15_000, idleMillis: 10_000, runs: 3 },
    gatewayIdle9k: { streams: 9_000, openSpreadMillis: 15_000, idleMillis: 10_000, runs: 1 },
    upstreamHttp2: { streams: 2_000, openSpreadMillis: 5_000, idleMillis: 10_000, runs: 2 },
    gatewayOverhead: {
      chunks: 20_000,
      concurrency: 100,
      chunksPerConcurrentStream: 200,
      pacedChunks: 5,
      pacedGapMillis: 20,
      pacedRounds: 100,
      runs: 3
    }
  }
}
