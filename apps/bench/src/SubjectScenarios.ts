/**
 * The Effect 3 subject's halves of the scenarios that drive the stream itself (the Effect 4
 * subject's are `@streamguard/bench-effect4`'s `Scenarios`): the runner sets the models and reads
 * the simulator's records; these run the streams and say when each one's moment came.
 *
 * @since 0.1.0
 */
import { StreamObserver } from "@streamguard/core-effect3"
import { Duration, Effect, Fiber, Stream } from "effect"
import { epochMillis } from "./Stats.js"
import * as Subject from "./Subject.js"

/** `headers` defaults to `chunk`: a thousand requests at once may wait longer for theirs, which is not measured here. */
const stalledPolicy = (chunkTimeoutMillis: number) => ({
  chunk: Duration.millis(chunkTimeoutMillis),
  headers: Duration.seconds(60)
})

/**
 * `timeoutPrecision`: see `Lines.Line.stalls`.
 *
 * @since 0.1.0
 * @category scenarios
 */
export const stalls = async (
  url: string,
  models: ReadonlyArray<string>,
  chunkTimeoutMillis: number
): Promise<{ readonly lates: Array<number>; readonly unexpected: Array<string> }> => {
  const lates: Array<number> = []
  const unexpected: Array<string> = []
  const once = (model: string) => {
    let lastAt = Number.NaN
    return Subject.stream(url, model, stalledPolicy(chunkTimeoutMillis)).pipe(
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
  await Subject.runtime.runPromise(Effect.forEach(models, once, { concurrency: "unbounded", discard: true }))
  return { lates, unexpected }
}

/**
 * `cancelLatency`, by interruption from outside the stream's fiber (as a disconnect handler
 * would), after the third content chunk: see `Lines.Line.interrupts`.
 *
 * @since 0.1.0
 * @category scenarios
 */
export const interrupts = async (url: string, models: ReadonlyArray<string>): Promise<Map<string, number>> => {
  const at = new Map<string, number>()
  const fibers = models.map((model) => {
    let seen = 0
    const fiber = Subject.runtime.runFork(Subject.drain(Subject.stream(url, model), () => {
      if (++seen !== 3) return
      setImmediate(() => {
        at.set(model, epochMillis())
        fiber.unsafeInterruptAsFork(fiber.id())
      })
    }))
    return fiber
  })
  await Subject.runtime.runPromise(Fiber.awaitAll(fibers))
  return at
}

/**
 * `cancelLatency`, by a chunk timeout. The timeout's own moment is read from the guard's clock:
 * the stream's start plus the error's `elapsedMillis` (the consumer only sees the error after the
 * connection is closed). See `Lines.Line.timeouts`.
 *
 * @since 0.1.0
 * @category scenarios
 */
export const timeouts = async (
  url: string,
  models: ReadonlyArray<string>,
  chunkTimeoutMillis: number
): Promise<{ readonly fired: Map<string, number>; readonly unexpected: Array<string> }> => {
  const fired = new Map<string, number>()
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
    return Subject.stream(url, model, stalledPolicy(chunkTimeoutMillis)).pipe(
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
  await Subject.runtime.runPromise(Effect.forEach(models, once, { concurrency: "unbounded", discard: true }))
  return { fired, unexpected }
}
