/**
 * A probe as one self-contained HTML page: the histogram of the gaps between events, every run's
 * timeline, the summary and the recommended limits. The charts are inline SVG and the page loads
 * nothing, so it opens offline and can be mailed or attached to a ticket.
 *
 * @since 0.1.0
 */
import * as millis from "./internal/millis.js"
import * as Recommendation from "./Recommendation.js"
import * as Summary from "./Summary.js"
import type * as Timeline from "./Timeline.js"

/**
 * One bar of a histogram: the values in `[from, to)` (the last bar includes its end).
 *
 * @since 0.1.0
 * @category models
 */
export interface Bin {
  readonly from: number
  readonly to: number
  readonly count: number
}

/**
 * Equal-width bins from 0 to the largest value: about the square root of the count of values,
 * between 5 and 30 bins. No values, no bins.
 *
 * @since 0.1.0
 * @category statistics
 */
export const histogram = (values: ReadonlyArray<number>): Array<Bin> => {
  if (values.length === 0) return []
  const max = Math.max(...values, 1)
  const count = Math.min(30, Math.max(5, Math.ceil(Math.sqrt(values.length))))
  const width = max / count
  const bins = Array.from({ length: count }, (_, i) => ({ from: i * width, to: (i + 1) * width, count: 0 }))
  for (const value of values) bins[Math.min(count - 1, Math.floor(value / width))]!.count++
  return bins
}

/**
 * What the page shows.
 *
 * @since 0.1.0
 * @category models
 */
export interface Input {
  readonly title: string
  readonly runs: ReadonlyArray<Timeline.Run>
  readonly summary: Summary.Summary
  readonly recommendation: Recommendation.Recommendation
  readonly profile: string
}

const escape = (text: string): string =>
  text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;")

const chartWidth = 760

const histogramSvg = (bins: ReadonlyArray<Bin>): string => {
  if (bins.length === 0) return `<p class="empty">No gaps between events were seen.</p>`
  const height = 220
  const top = 16
  const bottom = 36
  const left = 44
  const plot = chartWidth - left - 10
  const highest = Math.max(...bins.map((bin) => bin.count), 1)
  const barWidth = plot / bins.length
  const bars = bins.map((bin, i) => {
    const h = ((height - top - bottom) * bin.count) / highest
    const x = left + i * barWidth
    const y = height - bottom - h
    const label = `${millis.format(bin.from)}–${millis.format(bin.to)}: ${bin.count}`
    return `<rect class="bar" x="${x.toFixed(1)}" y="${y.toFixed(1)}" width="${(barWidth - 2).toFixed(1)}" height="${
      h.toFixed(1)
    }" data-count="${bin.count}"><title>${escape(label)}</title></rect>`
  })
  const ticks = [0, Math.floor(bins.length / 2), bins.length].map((i) => {
    const x = left + i * barWidth
    const value = i === bins.length ? bins[bins.length - 1]!.to : bins[i]!.from
    const anchor = i === 0 ? "start" : i === bins.length ? "end" : "middle"
    return `<text x="${x.toFixed(1)}" y="${height - bottom + 16}" text-anchor="${anchor}">${
      millis.format(value)
    }</text>`
  })
  return `<svg class="histogram" xmlns="http://www.w3.org/2000/svg" width="${chartWidth}" height="${height}" viewBox="0 0 ${chartWidth} ${height}" role="img" aria-label="Histogram of the gaps between events">
<line class="axis" x1="${left}" y1="${height - bottom}" x2="${chartWidth - 10}" y2="${height - bottom}"/>
<text x="${left - 6}" y="${top + 4}" text-anchor="end">${highest}</text>
<text x="${left - 6}" y="${height - bottom}" text-anchor="end">0</text>
${bars.join("\n")}
${ticks.join("\n")}
<text x="${left + plot / 2}" y="${height - 4}" text-anchor="middle">gap between events</text>
</svg>`
}

const timelineSvg = (runs: ReadonlyArray<Timeline.Run>): string => {
  const row = 26
  const left = 60
  const plot = chartWidth - left - 20
  const longest = Math.max(...runs.map((run) => run.durationMillis), 1)
  const x = (at: number) => (left + (plot * at) / longest).toFixed(1)
  const rows = runs.map((run, i) => {
    const y = 20 + i * row
    const marks = run.reads.map((read) =>
      read.chunks > 0
        ? `<line class="content" x1="${x(read.at)}" y1="${y - 6}" x2="${x(read.at)}" y2="${y + 6}"/>`
        : read.keepalives > 0
        ? `<circle class="keepalive" cx="${x(read.at)}" cy="${y}" r="3"/>`
        : ""
    )
    const first = run.firstContentMillis === undefined
      ? ""
      : `<line class="first" x1="${x(run.firstContentMillis)}" y1="${y - 9}" x2="${x(run.firstContentMillis)}" y2="${
        y + 9
      }"/>`
    const headers = run.headersMillis === undefined
      ? ""
      : `<rect class="headers" x="${x(run.headersMillis)}" y="${y - 4}" width="3" height="8"/>`
    return `<g class="run" data-run="${run.index}" data-outcome="${run.outcome}">
<text x="${left - 8}" y="${y + 4}" text-anchor="end">run ${run.index}</text>
<line class="life" x1="${x(0)}" y1="${y}" x2="${x(run.durationMillis)}" y2="${y}"/>
${headers}${first}${marks.join("")}
<circle class="end ${run.outcome === "done" ? "ok" : "bad"}" cx="${x(run.durationMillis)}" cy="${y}" r="5"><title>${
      escape(`${run.outcome} after ${millis.format(run.durationMillis)}`)
    }</title></circle>
</g>`
  })
  const height = 30 + runs.length * row
  return `<svg class="timelines" xmlns="http://www.w3.org/2000/svg" width="${chartWidth}" height="${height}" viewBox="0 0 ${chartWidth} ${height}" role="img" aria-label="Timeline of every run">
${rows.join("\n")}
<text x="${x(longest)}" y="${height - 4}" text-anchor="end">${millis.format(longest)}</text>
</svg>`
}

const summaryTable = (s: Summary.Summary): string => {
  const row = (label: string, d: Summary.Distribution) =>
    `<tr><th>${label}</th><td>${millis.format(d.p50)}</td><td>${millis.format(d.p99)}</td><td>${
      millis.format(d.max)
    }</td><td>${d.count}</td></tr>`
  return `<table class="summary"><thead><tr><th></th><th>P50</th><th>P99</th><th>max</th><th>n</th></tr></thead><tbody>
${row("time to headers", s.headers)}
${row("time to first content", s.firstContent)}
${row("gap between events", s.eventGaps)}
${row("gap between content", s.contentGaps)}
${row("keepalive interval", s.keepaliveIntervals)}
${row("total duration", s.duration)}
</tbody></table>`
}

/**
 * The page.
 *
 * @since 0.1.0
 * @category rendering
 */
export const render = (input: Input): string => {
  const gaps = input.runs.flatMap((run) => Summary.gapsOf(run).events)
  const outcomes = Object.entries(input.summary.outcomes).map(([o, n]) => `${escape(o)} ${n}`).join(", ")
  const limits = input.recommendation.limits.map((limit) =>
    `<tr><th>${limit.field}</th><td>${escape(limit.value)}</td><td>${escape(limit.basis)}</td></tr>`
  ).join("\n")
  const env = Recommendation.envLines(input.recommendation, input.profile).join("\n")
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>${escape(input.title)}</title>
<style>
body { font: 14px/1.4 system-ui, sans-serif; margin: 24px; color: #1d2330; max-width: 820px; }
h1 { font-size: 20px; } h2 { font-size: 16px; margin-top: 28px; }
svg text { font: 11px system-ui, sans-serif; fill: #555; }
.bar { fill: #3b73d9; } .axis, .life { stroke: #999; stroke-width: 1; }
.content { stroke: #3b73d9; stroke-width: 1.5; } .first { stroke: #0b8a3e; stroke-width: 3; }
.keepalive { fill: #a23bd9; } .headers { fill: #333; }
.end.ok { fill: #0b8a3e; } .end.bad { fill: #d93b3b; }
table { border-collapse: collapse; } th, td { text-align: left; padding: 3px 10px 3px 0; }
pre { background: #f3f4f7; padding: 10px; }
</style>
</head>
<body>
<h1>${escape(input.title)}</h1>
<p>${input.summary.runs} runs: ${outcomes}.</p>
<h2>Gaps between events</h2>
${histogramSvg(histogram(gaps))}
<h2>Runs</h2>
<p>Black: headers; green: first content; blue: content; purple: keepalives; the dot: the end.</p>
${timelineSvg(input.runs)}
<h2>Summary</h2>
${summaryTable(input.summary)}
<h2>Recommended limits</h2>
<table class="limits">${limits}</table>
<pre>${escape(env)}</pre>
<pre>${escape(Recommendation.configBlock(input.recommendation, input.profile))}</pre>
</body>
</html>
`
}
