/**
 * The Effect 3 subject's halves of the scenarios that drive the stream itself (not only through
 * `consume`/`open`): the bench's runner sets the models and reads the simulator's records; these
 * run the streams and say when each one's moment came (epoch millis, as the bench's own clock).
 *
 * @since 0.1.0
 */
import * as StreamObserver from "@streamguard/core-effect3/StreamObserver"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Stream from "effect/Stream"
import * as Subject from "./Subject.js"

const epochMillis = (): number => performance.timeOrigin + performance.now()

/** `headers` defaults to `chunk`: a thousand requests at once may wait longer for theirs, which is not measured here. */
const stalledPolicy = (chunkTimeoutMillis: number) => ({
  chunk: Duration.millis(chunkTimeoutMillis),
  headers: Duration.seconds(60)
})

/**
 * `timeoutPrecision`: every model stalls after its first chunk; each one's lateness is when the
 * consumer saw its `ChunkTimeout` minus (its last chunk, as the consumer saw it, plus the limit).
 * Anything else a stream ends with is listed in `unexpected`.
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
 * `cancelLatency`, by interruption: each model's reading fiber is interrupted from outside (on a
 * later turn, as a disconnect handler would) after its third content chunk. When each was.
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
 * `cancelLatency`, by a chunk timeout: every model stalls; when each one's timeout fired, on the
 * guard's clock (its start, as the observer heard it, plus the error's `elapsedMillis`: the
 * consumer hears of it only after the connection is closed).
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
