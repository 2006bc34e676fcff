/**
 * Timing streams read by the cheapest consumer (`undiciRaw`), for the scenarios that compare a
 * path through the gateway with one straight to the simulator: content chunks per second over a
 * set of streams, and the one-way latency of each paced stream's last chunk.
 *
 * @since 0.1.0
 */
import * as Simulator from "./Simulator.js"
import { epochMillis, percentile } from "./Stats.js"
import { undiciRaw } from "./UndiciRaw.js"

/**
 * Content chunks per second over `models`, read at once from `url`; fails unless `expected` came.
 *
 * @since 0.1.0
 * @category measures
 */
export const throughput = async (url: string, models: ReadonlyArray<string>, expected: number): Promise<number> => {
  let seen = 0
  const onChunk = () => {
    seen++
  }
  const start = performance.now()
  await Promise.all(models.map((model) => undiciRaw.consume(url, model, onChunk)))
  const seconds = (performance.now() - start) / 1000
  if (seen !== expected) throw new Error(`saw ${seen} content chunks of ${expected} from ${url}`)
  return seen / seconds
}

/**
 * One-way latency of the last content chunk of each paced stream: its arrival here minus the
 * simulator's record of its last write (the finish and done frames follow it in the same tick).
 * Both clocks are this machine's wall clock; the record has millisecond resolution.
 *
 * @since 0.1.0
 * @category measures
 */
export const lastChunkLatencies = async (
  url: string,
  simUrl: string,
  models: ReadonlyArray<string>
): Promise<Array<number>> => {
  const arrived = new Map<string, number>()
  await Promise.all(models.map((model) =>
    undiciRaw.consume(url, model, () => {
      arrived.set(model, epochMillis())
    })
  ))
  const written = new Map((await Simulator.records(simUrl)).map((record) => [record.model, record.lastWriteAt]))
  return models.map((model) => {
    const at = written.get(model)
    if (at === undefined || at === null) throw new Error(`no simulator write recorded for ${model}`)
    return arrived.get(model)! - at
  })
}

/**
 * The latency a path adds at percentile `p`: its figure minus the direct one, percentile by
 * percentile.
 *
 * @since 0.1.0
 * @category measures
 */
export const addedAt = (p: number, direct: ReadonlyArray<number>, through: ReadonlyArray<number>): number =>
  percentile(through, p) - percentile(direct, p)

/**
 * A run's medians split into the path's own metrics and the direct baseline (the `direct.`
 * keys), as the gateway scenarios record them.
 *
 * @since 0.1.0
 * @category measures
 */
export const splitDirect = (
  all: Readonly<Record<string, number>>
): { readonly metrics: Record<string, number>; readonly direct: Record<string, number> } => {
  const metrics: Record<string, number> = {}
  const direct: Record<string, number> = {}
  for (const [key, value] of Object.entries(all)) {
    if (key.startsWith("direct.")) direct[key.slice("direct.".length)] = value
    else metrics[key] = value
  }
  return { metrics, direct }
}
