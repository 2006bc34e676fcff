/**
 * The measuring half of `cancelLatency` (the subject only), loaded by the worker on demand so the
 * scenario list stays free of Effect for the baselines' processes.
 */
import { StreamObserver } from "@streamguard/core-effect3"
import { Duration, Effect, Fiber, Stream } from "effect"
import type { Job, Metrics } from "../Scenario.js"
import * as Simulator from "../Simulator.js"
import { epochMillis, percentile } from "../Stats.js"
// Types only: the subject itself (its runtime) is loaded on demand, by `measure`.
import type * as Subject from "../Subject.js"

/**
 * Interruption from outside the stream's fiber (as a disconnect handler would), after the third
 * content chunk; the streams' jittered pacing spreads the interruptions out. Each stream's time
 * from the interruption to the simulator seeing its connection close.
 */
const interrupted = async (subject: typeof Subject, job: Job, first: number, count: number): Promise<Array<number>> => {
  const at = new Map<string, number>()
  const models = Array.from({ length: count }, (_, i) => `sim:steady?chunks=10000&gap=10ms&seed=${first + i}`)
  const fibers = models.map((model) => {
    let seen = 0
    const fiber = subject.runtime.runFork(subject.drain(subject.stream(job.simUrl, model), () => {
      if (++seen !== 3) return
      setImmediate(() => {
        at.set(model, epochMillis())
        fiber.unsafeInterruptAsFork(fiber.id())
      })
    }))
    return fiber
  })
  await subject.runtime.runPromise(Fiber.awaitAll(fibers))
  const closed = await Simulator.closes(job.simUrl, models)
  return models.map((model) => closed.get(model)! - at.get(model)!)
}

/**
 * Each stalled stream's time from its chunk timeout to the simulator seeing its connection close.
 * The timeout's own moment is read from the guard's clock: the stream's start plus the error's
 * `elapsedMillis` (the consumer only sees the error after the connection is closed).
 */
const timedOut = async (subject: typeof Subject, job: Job, first: number, count: number): Promise<Array<number>> => {
  const fired = new Map<string, number>()
  const models = Array.from(
    { length: count },
    (_, i) => `sim:stall-after?after=2&gap=5ms&jitter=0ms&seed=${first + i}`
  )
  const unexpected: Array<string> = []
  const once = (model: string) => {
    let startedAt = Number.NaN
    const observer: StreamObserver.Service = {
      ...StreamObserver.noopService,
      started: (info) =>
        Effect.sync(() => {
          startedAt = info.startedAt
        })
    }
    return subject.stream(job.simUrl, model, {
      chunk: Duration.millis(job.settings.cancelLatency.chunkTimeoutMillis),
      headers: Duration.seconds(60)
    }).pipe(
      Stream.runDrain,
      Effect.match({
        onFailure: (error) => {
          if (error._tag === "ChunkTimeout") fired.set(model, startedAt + error.elapsedMillis)
          else unexpected.push(error._tag)
        },
        onSuccess: () => {
          unexpected.push("done")
        }
      }),
      Effect.provideService(StreamObserver.StreamObserver, observer)
    )
  }
  await subject.runtime.runPromise(Effect.forEach(models, once, { concurrency: "unbounded", discard: true }))
  if (unexpected.length > 0) throw new Error(`stalled streams ended otherwise: ${unexpected.slice(0, 5).join(", ")}`)
  const closed = await Simulator.closes(job.simUrl, models)
  return models.map((model) => closed.get(model)! - fired.get(model)!)
}

export const measure = async (job: Job): Promise<ReadonlyArray<Metrics>> => {
  const { streams } = job.settings.cancelLatency
  const subject = await import("../Subject.js")
  // A warm-up of each, not measured.
  await interrupted(subject, job, 0, Math.min(10, streams))
  await timedOut(subject, job, 0, Math.min(10, streams))
  const runs: Array<Metrics> = []
  for (let run = 0; run < job.runs; run++) {
    const first = 1_000_000 * (run + 1)
    const byInterrupt = await interrupted(subject, job, first, streams)
    const byTimeout = await timedOut(subject, job, first, streams)
    runs.push({
      interruptToCloseMsP50: percentile(byInterrupt, 50),
      interruptToCloseMsP99: percentile(byInterrupt, 99),
      timeoutToCloseMsP50: percentile(byTimeout, 50),
      timeoutToCloseMsP99: percentile(byTimeout, 99)
    })
  }
  await subject.runtime.dispose()
  return runs
}
