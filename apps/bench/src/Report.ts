/**
 * The bench's report: the JSON (`{ machine, mode, scenarios }`), the Markdown table printed to
 * stdout, and the team's targets checked against it.
 *
 * @since 0.1.0
 */
import * as Os from "node:os"
import type { Result } from "./Runner.js"
import type { Mode } from "./Settings.js"

/**
 * What the figures were measured on. `loadAverage` is taken at the start and the end: other work
 * on the machine shows in every wall-clock figure.
 *
 * @since 0.1.0
 * @category models
 */
export interface Machine {
  readonly date: string
  readonly node: string
  readonly platform: string
  readonly cpu: string
  readonly cpus: number
  readonly memoryBytes: number
  readonly loadAverageStart: ReadonlyArray<number>
  readonly loadAverageEnd: ReadonlyArray<number>
}

/**
 * @since 0.1.0
 * @category models
 */
export interface Report {
  readonly machine: Machine
  readonly mode: Mode
  readonly scenarios: Readonly<Record<string, Result>>
  /** Scenarios that could not be measured, with the reason. */
  readonly failed?: Readonly<Record<string, string>>
}

/**
 * The machine as seen now; `loadAverageEnd` is filled in by `finish`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const machine = (): Machine => ({
  date: new Date().toISOString(),
  node: process.version,
  platform: `${process.platform} ${Os.release()} ${process.arch}`,
  cpu: Os.cpus()[0]?.model ?? "unknown",
  cpus: Os.cpus().length,
  memoryBytes: Os.totalmem(),
  loadAverageStart: Os.loadavg().map(round2),
  loadAverageEnd: []
})

/**
 * @since 0.1.0
 * @category constructors
 */
export const finish = (machine: Machine): Machine => ({ ...machine, loadAverageEnd: Os.loadavg().map(round2) })

function round2(n: number): number {
  return Math.round(n * 100) / 100
}

/**
 * One of the project's goals: a figure of the report and its bound. `figure` is the figure's path
 * as `figures` names it (`scenario.ratios.name`, `scenario.metrics.name`, `scenario.derived.name`,
 * `scenario.baselines.baseline.name`).
 *
 * @since 0.1.0
 * @category models
 */
export interface Target {
  readonly figure: string
  readonly bound: "<=" | "<" | ">="
  readonly value: number
}

/**
 * Every target is a ratio to a baseline measured in the same run (or a difference from one),
 * except the gateway's own idle cost, which is bounded absolutely.
 *
 * @since 0.1.0
 * @category constants
 */
export const targets: ReadonlyArray<Target> = [
  { figure: "chunkOverhead.ratios.vsUndiciRaw", bound: "<=", value: 1.3 },
  { figure: "chunkOverhead.ratios.vsOpenaiSdk", bound: "<=", value: 0.5 },
  { figure: "idleMemory.ratios.vsUndiciRaw", bound: "<=", value: 1.6 },
  { figure: "idleMemory.ratios.heapVsUndiciRaw", bound: "<=", value: 3 },
  { figure: "idleMemory.derived.idleCpuAboveUndiciRaw", bound: "<=", value: 0.1 },
  { figure: "timeoutPrecision.ratios.lateP99VsUndiciRaw", bound: "<=", value: 1.5 },
  { figure: "cancelLatency.ratios.interruptToCloseP99VsUndiciRaw", bound: "<=", value: 1.5 },
  { figure: "cancelLatency.ratios.timeoutToCloseP99VsUndiciRaw", bound: "<=", value: 1.5 },
  // The Effect 4 line's client (the line the gateway runs on): its own targets, and at or under
  // the Effect 3 line's figures.
  { figure: "chunkOverhead.ratios.effect4VsUndiciRaw", bound: "<=", value: 1.2 },
  { figure: "chunkOverhead.ratios.effect4VsOpenaiSdk", bound: "<=", value: 0.4 },
  { figure: "chunkOverhead.ratios.effect4VsEffect3", bound: "<=", value: 1 },
  { figure: "idleMemory.ratios.effect4VsUndiciRaw", bound: "<=", value: 1.5 },
  { figure: "idleMemory.ratios.effect4VsEffect3", bound: "<=", value: 1 },
  { figure: "timeoutPrecision.ratios.effect4VsEffect3LateP99", bound: "<=", value: 1 },
  { figure: "cancelLatency.ratios.effect4VsEffect3InterruptToCloseP99", bound: "<=", value: 1 },
  { figure: "gatewayOverhead.ratios.throughputVsDirect", bound: ">=", value: 0.9 },
  { figure: "gatewayOverhead.ratios.throughputVsDirectAtConcurrency", bound: ">=", value: 0.8 },
  { figure: "gatewayOverhead.metrics.addedLatencyMsP99AtConcurrency", bound: "<=", value: 5 },
  { figure: "gatewayIdle.metrics.rssBytesPerStream", bound: "<=", value: 32_000 },
  { figure: "gatewayIdle.metrics.idleCpuPercent", bound: "<", value: 1 },
  { figure: "gatewayIdle.metrics.idleCpuPercentWithViewer", bound: "<", value: 1 }
]

/**
 * Every metric, baseline figure, ratio and derived figure of the report, flattened
 * (`scenario.metrics.name`, `scenario.baselines.baseline.name`, `scenario.ratios.name`,
 * `scenario.derived.name`).
 *
 * @since 0.1.0
 * @category getters
 */
export const figures = (report: Report): ReadonlyArray<readonly [string, number]> =>
  Object.entries(report.scenarios).flatMap(([name, result]) => [
    ...Object.entries(result.metrics).map(([key, value]) => [`${name}.metrics.${key}`, value] as const),
    ...Object.entries(result.baselines).flatMap(([baseline, metrics]) =>
      Object.entries(metrics).map(([key, value]) => [`${name}.baselines.${baseline}.${key}`, value] as const)
    ),
    ...Object.entries(result.ratios).map(([key, value]) => [`${name}.ratios.${key}`, value] as const),
    ...Object.entries(result.derived ?? {}).map(([key, value]) => [`${name}.derived.${key}`, value] as const)
  ])

const format = (n: number | undefined): string => {
  if (n === undefined || !Number.isFinite(n)) return String(n ?? "")
  const abs = Math.abs(n)
  if (abs >= 1000) return Math.round(n).toLocaleString("en-US")
  if (abs >= 100) return n.toFixed(0)
  if (abs >= 10) return n.toFixed(1)
  return n.toFixed(2)
}

const met = (target: Target, value: number): boolean =>
  target.bound === "<=" ? value <= target.value : target.bound === "<" ? value < target.value : value >= target.value

/**
 * The report as Markdown: the machine, one table per scenario (the subject's figures beside each
 * baseline's), the ratios, and the targets met or not.
 *
 * @since 0.1.0
 * @category formatting
 */
export const markdown = (report: Report): string => {
  const m = report.machine
  const lines: Array<string> = [
    `StreamGuard bench, mode \`${report.mode}\`, ${m.date}: one machine's figures (ratios are what travel).`,
    `Machine: ${m.cpu} x${m.cpus}, ${Math.round(m.memoryBytes / 2 ** 30)} GiB, Node ${m.node}, ${m.platform}; ` +
    `load average ${m.loadAverageStart.join(" ")} at start, ${m.loadAverageEnd.join(" ")} at end.`,
    ""
  ]
  for (const [name, result] of Object.entries(report.scenarios)) {
    const baselines = Object.keys(result.baselines)
    const subjectName = result.label ?? (name.startsWith("gateway") ? "gateway" : "subject (effect3)")
    const metricNames = [
      ...new Set([...Object.keys(result.metrics), ...baselines.flatMap((b) => Object.keys(result.baselines[b]!))])
    ]
    lines.push(`### ${name}`, "", `| metric | ${[subjectName, ...baselines].join(" | ")} |`)
    lines.push(`| --- | ${[subjectName, ...baselines].map(() => "---:").join(" | ")} |`)
    for (const metric of metricNames) {
      const cells = [result.metrics[metric], ...baselines.map((b) => result.baselines[b]![metric])]
      lines.push(`| ${metric} | ${cells.map((cell) => cell === undefined ? "" : format(cell)).join(" | ")} |`)
    }
    const ratios = Object.entries(result.ratios)
    if (ratios.length > 0) lines.push("", `Ratios: ${ratios.map(([k, v]) => `\`${k}\` ${format(v)}`).join(", ")}`)
    const derived = Object.entries(result.derived ?? {})
    if (derived.length > 0) lines.push("", `Derived: ${derived.map(([k, v]) => `\`${k}\` ${format(v)}`).join(", ")}`)
    lines.push("")
  }
  const byFigure = new Map(figures(report))
  const checked = targets.filter((target) => report.scenarios[target.figure.split(".")[0]!] !== undefined)
  if (checked.length > 0) {
    lines.push("### Targets", "", "| target | figure | met |", "| --- | ---: | :---: |")
    for (const target of checked) {
      const value = byFigure.get(target.figure)
      const ok = value !== undefined && met(target, value)
      lines.push(
        `| ${target.figure} ${target.bound} ${target.value.toLocaleString("en-US")} | ${format(value)} | ${
          ok ? "yes" : "no"
        } |`
      )
    }
    lines.push("")
  }
  return lines.join("\n")
}
