/**
 * The measuring half of `cancelLatency` for the `undiciRaw` baseline: the same paced streams read
 * by undici `request()` with an `AbortSignal`, aborted after the third content chunk as the
 * subject's fiber is interrupted. Plain Node code: a baseline's process never loads Effect.
 */
import type { Job, Metrics } from "../Scenario.js"
import * as Simulator from "../Simulator.js"
import { epochMillis, percentile } from "../Stats.js"
import { read } from "../UndiciRaw.js"

export const measure = async (job: Job): Promise<ReadonlyArray<Metrics>> => {
  const { streams } = job.settings.cancelLatency

  // From outside the read loop (a later turn of the event loop, as the subject's interruption),
  // after the third content chunk; the streams' jittered pacing spreads the aborts out.
  const aborted = async (first: number, count: number): Promise<Array<number>> => {
    const at = new Map<string, number>()
    const models = Array.from({ length: count }, (_, i) => `sim:steady?chunks=10000&gap=10ms&seed=${first + i}`)
    const unexpected: Array<string> = []
    await Promise.all(models.map(async (model) => {
      const controller = new AbortController()
      let seen = 0
      try {
        await read(job.simUrl, model, () => {
          if (++seen !== 3) return
          setImmediate(() => {
            at.set(model, epochMillis())
            controller.abort()
          })
        }, { signal: controller.signal })
        unexpected.push("done")
      } catch (error) {
        if (!controller.signal.aborted) unexpected.push(error instanceof Error ? error.name : String(error))
      }
    }))
    if (unexpected.length > 0) throw new Error(`streams ended otherwise: ${unexpected.slice(0, 5).join(", ")}`)
    const closed = await Simulator.closes(job.simUrl, models)
    return models.map((model) => closed.get(model)! - at.get(model)!)
  }

  await aborted(0, Math.min(10, streams))
  const runs: Array<Metrics> = []
  for (let run = 0; run < job.runs; run++) {
    const byAbort = await aborted(1_000_000 * (run + 1), streams)
    runs.push({ abortToCloseMsP50: percentile(byAbort, 50), abortToCloseMsP99: percentile(byAbort, 99) })
  }
  return runs
}
