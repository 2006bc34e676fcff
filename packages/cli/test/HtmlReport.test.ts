import { assert, describe, it } from "@effect/vitest"
import * as HtmlReport from "@streamguard/cli/HtmlReport"
import * as Recommendation from "@streamguard/cli/Recommendation"
import * as Summary from "@streamguard/cli/Summary"
import type * as Timeline from "@streamguard/cli/Timeline"

const run = (index: number, gaps: ReadonlyArray<number>, outcome: Timeline.Run["outcome"] = "done"): Timeline.Run => {
  let at = 2000
  const reads = [{ at: 10, chunks: 0, keepalives: 1, bytes: 10 }, { at, chunks: 1, keepalives: 0, bytes: 10 }]
  for (const gap of gaps) reads.push({ at: (at += gap), chunks: 1, keepalives: 0, bytes: 10 })
  return {
    index,
    outcome,
    error: undefined,
    headersMillis: 5,
    firstContentMillis: 2000,
    durationMillis: at + 5,
    chunks: gaps.length + 1,
    keepalives: 1,
    bytes: 10 * (gaps.length + 2),
    retries: 0,
    reads
  }
}

const runs = [run(1, [40, 50, 60, 55, 45, 300]), run(2, [50, 52, 48, 51]), run(3, [20], "chunk_timeout")]

describe("HtmlReport", () => {
  it("bins gaps from 0 to the largest, each gap in exactly one bin", () => {
    const gaps = runs.flatMap((r) => Summary.gapsOf(r).events)
    const bins = HtmlReport.histogram(gaps)
    assert.strictEqual(bins.length, 5)
    assert.strictEqual(bins.reduce((n, bin) => n + bin.count, 0), gaps.length)
    assert.strictEqual(bins[0]!.from, 0)
    assert.strictEqual(bins.at(-1)!.to, 300)
    assert.deepStrictEqual(HtmlReport.histogram([]), [])
  })

  it("is one page with an SVG histogram of one bar per bin, a timeline row per run, and nothing to load", () => {
    const summary = Summary.summarize(runs)
    const html = HtmlReport.render({
      title: "probe <test>",
      runs,
      summary,
      recommendation: Recommendation.recommend(summary),
      profile: "chat"
    })
    const bins = HtmlReport.histogram(runs.flatMap((r) => Summary.gapsOf(r).events))
    const histogram = /<svg class="histogram"[\s\S]*?<\/svg>/.exec(html)?.[0] ?? ""
    const bars = [...histogram.matchAll(/<rect class="bar"[^>]*data-count="(\d+)"/g)].map((m) => Number(m[1]))
    assert.deepStrictEqual(bars, bins.map((bin) => bin.count))
    assert.strictEqual([...html.matchAll(/<g class="run" data-run="\d+" data-outcome="(\w+)"/g)].length, 3)
    assert.include(html, "<title>probe &lt;test&gt;</title>")
    assert.include(html, "STREAMGUARD_CHAT_FIRST_CHUNK_TIMEOUT=")
    // Self-contained: no script, stylesheet, image or font from anywhere.
    assert.notMatch(html, /<script|<link|<img|src=|href=|url\(|@import/)
  })
})
