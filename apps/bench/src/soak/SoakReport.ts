/**
 * What the soak prints and writes: one table line per sample as it goes, a summary at the end,
 * and the same as JSON.
 *
 * @since 0.1.0
 */
import type * as SoakLimits from "./SoakLimits.js"
import type { SoakOptions } from "./SoakOptions.js"
import type { Counts, Latencies } from "./SoakTally.js"
import type { Verdict } from "./SoakVerdict.js"

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
    /** Why `inFlight` is unknown (`NaN`), when the gateway's `/metrics` could not be read. */
    readonly metricsError?: string | undefined
  }
  readonly simulatorFds: number
  readonly clientFds: number
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
  /** How the gateway ran: built JavaScript, or the command given. */
  readonly gatewayRun: string
  /** Each process's open-files limit, and what the run needs of it. */
  readonly limits: { readonly [P in keyof SoakLimits.Needs]: SoakLimits.Nofile }
  readonly needs: SoakLimits.Needs
  /** From the start to every long stream open at once (`undefined`: never). */
  readonly rampSeconds: number | undefined
  /** From the start to the end of warm-up, when RSS starts to be judged. */
  readonly warmedAtSeconds: number | undefined
  /** The machine's load average (1, 5, 15 minutes) at the start and at the end. */
  readonly loadAverage: { readonly start: ReadonlyArray<number>; readonly end: ReadonlyArray<number> }
  readonly samples: ReadonlyArray<Sample>
  readonly totals: Counts
  readonly closing: Closing
  readonly verdict: Verdict
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
  ["simFds", 6],
  ["cliFds", 6],
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
    Number.isNaN(sample.gateway.inFlight) ? "?" : String(sample.gateway.inFlight),
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
    String(sample.simulatorFds),
    String(sample.clientFds),
    sample.gateway.cpuPercent.toFixed(1),
    sample.clientCpuPercent.toFixed(1)
  ])
}

const latency = (l: Latencies): string =>
  l.count === 0 ? "none" : `P50 ${ms(l.p50)} ms, P99 ${ms(l.p99)} ms, max ${ms(l.max)} ms over ${l.count}`

const limit = (nofile: SoakLimits.Nofile): string => `limit ${nofile.soft}/${nofile.hard}`

/** The latency lines: during the ramp and after it, apart. */
const latencyLines = (report: Report): Array<string> => {
  const { totals } = report
  const ramp = report.rampSeconds === undefined ? "the whole run" : `the first ${report.rampSeconds.toFixed(0)} s`
  return [
    "time to first chunk (short streams):",
    `  during the ramp (${ramp}): ${latency(totals.ttfcByPhase.ramp)}`,
    `  after the ramp:  ${latency(totals.ttfcByPhase.held)}`,
    "time to headers (long streams):",
    `  during the ramp: ${latency(totals.openByPhase.ramp)}`,
    `  after the ramp:  ${latency(totals.openByPhase.held)}`
  ]
}

/** The processes' lines: the gateway's RSS and descriptors, the others' descriptors, each against its limit. */
const processLines = (report: Report): Array<string> => {
  const { closing, limits, needs } = report
  const peak = (pick: (sample: Sample) => number) => Math.max(...report.samples.map(pick), 0)
  return [
    `gateway RSS: baseline ${mib(closing.rssBaselineBytes)} MiB, peak ${
      mib(peak((s) => s.gateway.rssBytes))
    } MiB, end ${mib(closing.rssEndBytes)} MiB`,
    `gateway fds: baseline ${closing.fdsBaseline}, peak ${peak((s) => s.gateway.fds)}, end ${closing.fdsEnd} (${
      closing.fdsReturned ? "back to baseline" : "NOT back to baseline"
    } ${closing.settleSeconds.toFixed(1)} s after the streams closed); in flight at the end: ${closing.inFlightEnd}; ${
      limit(limits.gateway)
    }, needed ${needs.gateway}`,
    `simulator fds: peak ${peak((s) => s.simulatorFds)}; ${limit(limits.simulator)}, needed ${needs.simulator}`,
    `client fds: peak ${peak((s) => s.clientFds)}; ${limit(limits.client)}, needed ${needs.client}`
  ]
}

/**
 * The summary printed at the end, verdict last.
 *
 * @since 0.1.0
 * @category formatting
 */
export const summary = (report: Report): string => {
  const { totals, verdict } = report
  const outcomes = Object.entries(totals.outcomes).map(([outcome, n]) => `  ${outcome.padEnd(28)} ${n}`)
  const classes = Object.entries(totals.errorsByClass).map(([name, n]) => `${name} ${n}`).join(", ")
  const load = (values: ReadonlyArray<number>) => values.map((v) => v.toFixed(2)).join(" ")
  return [
    `gateway: ${report.gatewayRun}`,
    `load average: ${load(report.loadAverage.start)} at the start, ${load(report.loadAverage.end)} at the end`,
    `requests: ${totals.started.long} long, ${totals.started.steady} short`,
    "outcomes:",
    ...outcomes,
    `errors: ${totals.errors}${classes.length > 0 ? ` (${classes})` : ""}; ECONNRESET ${totals.resets}`,
    `chunks lost: ${totals.lostChunks}, duplicated: ${totals.duplicatedChunks} (streams that ended with their done)`,
    ...latencyLines(report),
    ...processLines(report),
    `verdict: ${verdict.pass ? "PASS" : "FAIL"}`,
    ...verdict.checks.map((check) =>
      `  ${check.name.padEnd(12)} ${check.ok === undefined ? "-" : check.ok ? "ok" : "FAIL"}  ${check.detail}`
    )
  ].join("\n")
}
