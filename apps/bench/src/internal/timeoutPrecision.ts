/**
 * The measuring half of `timeoutPrecision` (the subject only), loaded by the worker on demand so the
 * scenario list stays free of Effect for the baselines' processes.
 */
import { Duration, Effect, Stream } from "effect"
import type { Job, Metrics } from "../Scenario.js"
import { epochMillis, percentile } from "../Stats.js"

export const measure = async (job: Job): Promise<ReadonlyArray<Metrics>> => {
  const { chunkTimeoutMillis, streams } = job.settings.timeoutPrecision
  const Subject = await import("../Subject.js")
  // `headers` defaults to the `chunk` limit; a thousand requests at once can wait longer than 1 s
  // for their headers, which is not what this scenario measures.
  const policy = { chunk: Duration.millis(chunkTimeoutMillis), headers: Duration.seconds(60) }
  const unexpected: Array<string> = []
  const once = (seed: number, lates: Array<number>) => {
    let lastAt = Number.NaN
    return Subject.stream(job.simUrl, `sim:stall-after?after=1&gap=0ms&jitter=0ms&seed=${seed}`, policy).pipe(
      Stream.runForEach(() =>
        Effect.sync(() => {
          lastAt = epochMillis()
        })
      ),
      Effect.match({
        onFailure: (error) => {
          // Deadline: the last content chunk as the consumer saw it, plus the limit.
          if (error._tag === "ChunkTimeout") lates.push(epochMillis() - (lastAt + chunkTimeoutMillis))
          else unexpected.push(error._tag)
        },
        onSuccess: () => {
          unexpected.push("done")
        }
      })
    )
  }
  const round = (first: number, count: number) => {
    const lates: Array<number> = []
    return Effect.as(
      Effect.forEach(Array.from({ length: count }, (_, i) => first + i), (seed) => once(seed, lates), {
        concurrency: "unbounded",
        discard: true
      }),
      lates
    )
  }
  await Subject.runtime.runPromise(round(0, Math.min(20, streams)))
  const runs: Array<Metrics> = []
  for (let run = 0; run < job.runs; run++) {
    const lates = await Subject.runtime.runPromise(round(1_000_000 * (run + 1), streams))
    if (unexpected.length > 0) throw new Error(`stalled streams ended otherwise: ${unexpected.slice(0, 5).join(", ")}`)
    runs.push({ lateMsP50: percentile(lates, 50), lateMsP99: percentile(lates, 99), lateMsMax: percentile(lates, 100) })
  }
  await Subject.runtime.dispose()
  return runs
}
