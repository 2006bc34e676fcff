/**
 * The measuring half of `timeoutPrecision` for a subject of either line, loaded by the worker on
 * demand so the scenario list stays free of Effect for the baselines' processes. The streams are
 * the line's (`Lines.Line.stalls`); the rounds and percentiles are this file's.
 */
import * as Lines from "../Lines.js"
import type { Job, Metrics } from "../Scenario.js"
import { percentile } from "../Stats.js"

export const measure = async (job: Job, name: Lines.SubjectName): Promise<ReadonlyArray<Metrics>> => {
  const { chunkTimeoutMillis, streams } = job.settings.timeoutPrecision
  const line = await Lines.line(name)
  const round = async (first: number, count: number) => {
    const models = Array.from(
      { length: count },
      (_, i) => `sim:stall-after?after=1&gap=0ms&jitter=0ms&seed=${first + i}`
    )
    const { lates, unexpected } = await line.stalls(job.simUrl, models, chunkTimeoutMillis)
    if (unexpected.length > 0) throw new Error(`stalled streams ended otherwise: ${unexpected.slice(0, 5).join(", ")}`)
    return lates
  }
  await round(0, Math.min(20, streams))
  const runs: Array<Metrics> = []
  for (let run = 0; run < job.runs; run++) {
    const lates = await round(1_000_000 * (run + 1), streams)
    runs.push({ lateMsP50: percentile(lates, 50), lateMsP99: percentile(lates, 99), lateMsMax: percentile(lates, 100) })
  }
  await line.consumer.dispose()
  return runs
}
