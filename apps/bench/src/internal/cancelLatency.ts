/**
 * The measuring half of `cancelLatency` for a subject of either line, loaded by the worker on
 * demand so the scenario list stays free of Effect for the baselines' processes. The streams are
 * the line's (`Lines.Line.interrupts`, `timeouts`); the models, the simulator's records and the
 * percentiles are this file's.
 */
import * as Lines from "../Lines.js"
import type { Job, Metrics } from "../Scenario.js"
import * as Simulator from "../Simulator.js"
import { percentile } from "../Stats.js"

/** Each stream's time from the interruption to the simulator seeing its connection close. */
const interrupted = async (line: Lines.Line, job: Job, first: number, count: number): Promise<Array<number>> => {
  // The streams' jittered pacing spreads the interruptions out.
  const models = Array.from({ length: count }, (_, i) => `sim:steady?chunks=10000&gap=10ms&seed=${first + i}`)
  const at = await line.interrupts(job.simUrl, models)
  const closed = await Simulator.closes(job.simUrl, models)
  return models.map((model) => closed.get(model)! - at.get(model)!)
}

/** Each stalled stream's time from its chunk timeout to the simulator seeing its connection close. */
const timedOut = async (line: Lines.Line, job: Job, first: number, count: number): Promise<Array<number>> => {
  const models = Array.from(
    { length: count },
    (_, i) => `sim:stall-after?after=2&gap=5ms&jitter=0ms&seed=${first + i}`
  )
  const { fired, unexpected } = await line.timeouts(job.simUrl, models, job.settings.cancelLatency.chunkTimeoutMillis)
  if (unexpected.length > 0) throw new Error(`stalled streams ended otherwise: ${unexpected.slice(0, 5).join(", ")}`)
  const closed = await Simulator.closes(job.simUrl, models)
  return models.map((model) => closed.get(model)! - fired.get(model)!)
}

export const measure = async (job: Job, name: Lines.SubjectName): Promise<ReadonlyArray<Metrics>> => {
  const { streams } = job.settings.cancelLatency
  const line = await Lines.line(name)
  // A warm-up of each, not measured.
  await interrupted(line, job, 0, Math.min(10, streams))
  await timedOut(line, job, 0, Math.min(10, streams))
  const runs: Array<Metrics> = []
  for (let run = 0; run < job.runs; run++) {
    const first = 1_000_000 * (run + 1)
    const byInterrupt = await interrupted(line, job, first, streams)
    const byTimeout = await timedOut(line, job, first, streams)
    runs.push({
      interruptToCloseMsP50: percentile(byInterrupt, 50),
      interruptToCloseMsP99: percentile(byInterrupt, 99),
      timeoutToCloseMsP50: percentile(byTimeout, 50),
      timeoutToCloseMsP99: percentile(byTimeout, 99)
    })
  }
  await line.consumer.dispose()
  return runs
}
