/**
 * The measuring half of `timeoutPrecision` for the `undiciRaw` baseline: the same stalled streams
 * read by undici `request()` with `bodyTimeout` at the subject's chunk limit. Plain Node code: a
 * baseline's process never loads Effect.
 */
import type { Job, Metrics } from "../Scenario.js"
import { epochMillis, percentile } from "../Stats.js"
import { read } from "../UndiciRaw.js"

const isBodyTimeout = (error: unknown): boolean =>
  typeof error === "object" && error !== null && (error as { code?: unknown }).code === "UND_ERR_BODY_TIMEOUT"

export const measure = async (job: Job): Promise<ReadonlyArray<Metrics>> => {
  const { chunkTimeoutMillis, streams } = job.settings.timeoutPrecision
  const unexpected: Array<string> = []
  const once = async (seed: number, lates: Array<number>): Promise<void> => {
    let lastAt = Number.NaN
    try {
      await read(
        job.simUrl,
        `sim:stall-after?after=1&gap=0ms&jitter=0ms&seed=${seed}`,
        () => {
          lastAt = epochMillis()
        },
        { bodyTimeout: chunkTimeoutMillis }
      )
      unexpected.push("done")
    } catch (error) {
      // Deadline: the last content chunk as the consumer saw it, plus the limit (as for the subject).
      if (isBodyTimeout(error)) lates.push(epochMillis() - (lastAt + chunkTimeoutMillis))
      else unexpected.push(error instanceof Error ? error.name : String(error))
    }
  }
  const round = async (first: number, count: number): Promise<Array<number>> => {
    const lates: Array<number> = []
    await Promise.all(Array.from({ length: count }, (_, i) => once(first + i, lates)))
    return lates
  }
  await round(0, Math.min(20, streams))
  const runs: Array<Metrics> = []
  for (let run = 0; run < job.runs; run++) {
    const lates = await round(1_000_000 * (run + 1), streams)
    if (unexpected.length > 0) throw new Error(`stalled streams ended otherwise: ${unexpected.slice(0, 5).join(", ")}`)
    runs.push({ lateMsP50: percentile(lates, 50), lateMsP99: percentile(lates, 99), lateMsMax: percentile(lates, 100) })
  }
  return runs
}
