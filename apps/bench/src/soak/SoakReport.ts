/**
 * What the soak prints and writes: one table line per sample as it goes, a summary at the end,
 * and the same as JSON.
 *
 * @since 0.1.0
 */
import type { SoakOptions } from "./SoakOptions.js"
import type { Counts } from "./SoakTally.js"

/**
 * One sampling window: the gateway's state at its end and what the soak counted during it.
 *
 * @since 0.1.0
 * @category models
 */
export interface Sample {
  readonly elapsedSeconds: number
  readonly longOpen: number
  readonly gateway: {
    readonly rssBytes: number
    readonly fds: number
    readonly inFlight: number
    /** The gateway's CPU over the window, 100 = one core. */
    readonly cpuPercent: number
  }
  /** The soak client's own CPU over the window, 100 = one core. */
  readonly clientCpuPercent: number
  readonly window: Counts
}

/**
 * @since 0.1.0
 * @category models
 */
export interface Closing {
  /** Gateway descriptors before any load, and after every stream closed. */
  readonly fdsBaseline: number
  readonly fdsEnd: number
  readonly fdsReturned: boolean
  readonly inFlightEnd: number
  /** From the soak closing its streams to the gateway back at its baseline (or giving up). */
  readonly settleSeconds: number
  readonly rssBaselineBytes: number
  readonly rssEndBytes: number
}

/**
 * @since 0.1.0
 * @category models
 */
export interface Report {
  readonly startedAt: string
  readonly options: SoakOptions
  readonly samples: ReadonlyArray<Sample>
  readonly totals: Counts
  readonly closing: Closing
}

const columns = [
  ["time", 6],
  ["long", 6],
  ["inflight", 8],
  ["started", 8],
  ["done", 7],
  ["errors", 7],
  ["resets", 7],
  ["lost", 5],
  ["dup", 5],
  ["ttfc50", 7],
  ["ttfc99", 7],
  ["rssMiB", 7],
  ["fds", 6],
  ["gwCpu%", 7],
  ["cpu%", 6]
] as const

const row = (cells: ReadonlyArray<string>): string => cells.map((cell, i) => cell.padStart(columns[i]![1])).join(" ")

const ms = (millis: number): string => Number.isNaN(millis) ? "-" : millis < 10 ? millis.toFixed(1) : millis.toFixed(0)
const mib = (bytes: number): string => (bytes / 1024 / 1024).toFixed(1)

/**
 * The table's header line.
 *
 * @since 0.1.0
 * @category formatting
 */
export const header = (): string => row(columns.map(([name]) => name))

/**
 * One sample's line: counts are the window's, the gateway's figures are at its end.
 *
 * @since 0.1.0
 * @category formatting
 */
export const line = (sample: Sample): string => {
  const w = sample.window
  return row([
    `${sample.elapsedSeconds.toFixed(0)}s`,
    String(sample.longOpen),
    String(sample.gateway.inFlight),
    String(w.started.long + w.started.steady),
    String(w.outcomes["done"] ?? 0),
    String(w.errors),
    String(w.resets),
    String(w.lostChunks),
    String(w.duplicatedChunks),
    ms(w.ttfcMillis.p50),
    ms(w.ttfcMillis.p99),
    mib(sample.gateway.rssBytes),
    String(sample.gateway.fds),
    sample.gateway.cpuPercent.toFixed(1),
    sample.clientCpuPercent.toFixed(1)
  ])
}

/**
 * The summary printed at the end.
 *
 * @since 0.1.0
 * @category formatting
 */
export const summary = (report: Report): string => {
  const { closing, totals } = report
  const peak = (pick: (sample: Sample) => number) => Math.max(...report.samples.map(pick), 0)
  const outcomes = Object.entries(totals.outcomes).map(([outcome, n]) => `  ${outcome.padEnd(28)} ${n}`)
  return [
    `requests: ${totals.started.long} long, ${totals.started.steady} short`,
    "outcomes:",
    ...outcomes,
    `errors: ${totals.errors} (ECONNRESET ${totals.resets})`,
    `chunks lost: ${totals.lostChunks}, duplicated: ${totals.duplicatedChunks} (streams that ended with their done)`,
    `time to first chunk (short streams): P50 ${ms(totals.ttfcMillis.p50)} ms, P99 ${
      ms(totals.ttfcMillis.p99)
    } ms over ${totals.ttfcMillis.count}`,
    `time to headers (long streams): P50 ${ms(totals.openMillis.p50)} ms, P99 ${
      ms(totals.openMillis.p99)
    } ms over ${totals.openMillis.count}`,
    `gateway RSS: baseline ${mib(closing.rssBaselineBytes)} MiB, peak ${
      mib(peak((s) => s.gateway.rssBytes))
    } MiB, end ${mib(closing.rssEndBytes)} MiB`,
    `gateway fds: baseline ${closing.fdsBaseline}, peak ${peak((s) => s.gateway.fds)}, end ${closing.fdsEnd} (${
      closing.fdsReturned ? "back to baseline" : "NOT back to baseline"
    } ${closing.settleSeconds.toFixed(1)} s after the streams closed); in flight at the end: ${closing.inFlightEnd}`
  ].join("\n")
}
