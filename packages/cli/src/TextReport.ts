/**
 * The terminal's text: one timeline line per step of a stream, the summary table and the
 * recommended limits, coloured when the output has colour.
 *
 * @since 0.1.0
 */
import * as millis from "./internal/millis.js"
import * as Output from "./Output.js"
import * as Recommendation from "./Recommendation.js"
import type * as Summary from "./Summary.js"
import type * as Timeline from "./Timeline.js"

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`

const bytes = (n: number): string => n < 1024 ? `${n} B` : `${(n / 1024).toFixed(1)} KiB`

const outcomeStyle = (outcome: string): Output.Style => outcome === "done" ? "green" : "red"

/**
 * The timeline line of one step, or nothing for steps that are not shown (a read that carried
 * only the done signal is part of the end line).
 *
 * @since 0.1.0
 * @category formatting
 */
export const step = (output: Output.Service, step: Timeline.Step): string | undefined => {
  const prefix = (at: number | undefined) =>
    `${Output.paint(output, "dim", `run ${step.run}`)} ${`+${millis.format(at)}`.padEnd(9)}`
  switch (step._tag) {
    case "Started":
      return `${prefix(0)}started`
    case "Retrying":
      return `${prefix(undefined)}${
        Output.paint(output, "yellow", `retrying`)
      } after attempt ${step.attempt} (${step.outcome}), in ${millis.format(step.delayMillis)}`
    case "Headers":
      return `${prefix(step.at)}headers`
    case "Read": {
      const { chunks, keepalives } = step.read
      if (chunks === 0 && keepalives === 0) return undefined
      const gap = Output.paint(output, "dim", `gap ${millis.format(step.gapMillis)}`)
      const what = step.first
        ? Output.paint(output, "cyan", `first content (${plural(chunks, "chunk")})`)
        : chunks > 0
        ? `content ${plural(chunks, "chunk")}`
        : Output.paint(output, "magenta", plural(keepalives, "keepalive"))
      const extra = chunks > 0 && keepalives > 0 ? ` + ${plural(keepalives, "keepalive")}` : ""
      return `${prefix(step.read.at)}${what}${extra}  ${gap}`
    }
    case "Ended": {
      const run = step.result
      const counts = `${plural(run.chunks, "chunk")}, ${plural(run.keepalives, "keepalive")}, ${bytes(run.bytes)}`
      const error = run.error === undefined ? "" : `: ${run.error}`
      return `${prefix(run.durationMillis)}${Output.paint(output, outcomeStyle(run.outcome), run.outcome)}  ${counts}${
        Output.paint(output, "dim", error)
      }`
    }
  }
}

const row = (label: string, d: Summary.Distribution, note = "") =>
  `  ${label.padEnd(22)}${millis.format(d.p50).padStart(9)}${millis.format(d.p99).padStart(9)}${
    millis.format(d.max).padStart(9)
  }${note === "" ? "" : `   ${note}`}`

/**
 * The summary table: outcomes, then P50/P99/max of every phase and gap, then the stalls.
 *
 * @since 0.1.0
 * @category formatting
 */
export const summary = (output: Output.Service, s: Summary.Summary): Array<string> => {
  const outcomes = Object.entries(s.outcomes).map(([outcome, n]) =>
    Output.paint(output, outcomeStyle(outcome), `${outcome} ${n}`)
  ).join(", ")
  return [
    Output.paint(output, "bold", `Summary of ${plural(s.runs, "run")}: ${outcomes}`),
    Output.paint(output, "dim", `  ${"".padEnd(22)}${"P50".padStart(9)}${"P99".padStart(9)}${"max".padStart(9)}`),
    row("time to headers", s.headers),
    row("time to first content", s.firstContent),
    row("gap between events", s.eventGaps, `${plural(s.eventGaps.count, "gap")} after the first content`),
    row("gap between content", s.contentGaps, plural(s.contentGaps.count, "gap")),
    row("keepalive interval", s.keepaliveIntervals, plural(s.keepalives, "keepalive")),
    row("total duration", s.duration, "of the runs that finished"),
    ...s.stalls.map((stall) =>
      Output.paint(
        output,
        "red",
        `  stalled: run ${stall.run} ${stall.outcome} after ${plural(stall.chunks, "chunk")}, silent for ${
          millis.format(stall.silentMillis)
        }`
      )
    )
  ]
}

/**
 * The recommended limits, one line each with its reason, then as env lines and a config block.
 *
 * @since 0.1.0
 * @category formatting
 */
export const recommendation = (
  output: Output.Service,
  r: Recommendation.Recommendation,
  profile: string
): Array<string> => {
  const warnings = r.warnings.map((warning) => Output.paint(output, "yellow", `Note: ${warning}.`))
  if (r.limits.length === 0) {
    return [...warnings, Output.paint(output, "yellow", "No recommendation: no run received content.")]
  }
  return [
    ...warnings,
    Output.paint(
      output,
      "bold",
      `Recommended limits (worst case seen x ${r.margin}, rounded up, at least ${millis.format(r.floorMillis)}):`
    ),
    ...r.limits.map((limit) =>
      `  ${limit.field.padEnd(11)}${Output.paint(output, "green", limit.value.padEnd(8))}${limit.basis}`
    ),
    "",
    Output.paint(output, "bold", `As environment variables (profile ${profile}):`),
    ...Recommendation.envLines(r, profile),
    "",
    Output.paint(output, "bold", "As a config file block (STREAMGUARD_CONFIG):"),
    Recommendation.configBlock(r, profile)
  ]
}
