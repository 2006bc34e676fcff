/**
 * `gatewayOverhead`: the same streams read straight from the simulator and through
 * apps/gateway (its own process, in front of the same simulator), by the cheapest consumer
 * (`undiciRaw`) so the difference is the gateway's. Throughput with 1 and with many concurrent
 * streams, and the latency the relay adds to each chunk of paced streams.
 *
 * @since 0.1.0
 */
import type { Metrics, Scenario } from "../Scenario.js"
import { ratio } from "../Scenario.js"
import * as Simulator from "../Simulator.js"
import { epochMillis, median, percentile } from "../Stats.js"
import { undiciRaw } from "../UndiciRaw.js"

const throughput = async (url: string, models: ReadonlyArray<string>, expected: number): Promise<number> => {
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
 * Arrival of each content chunk of each paced stream, in milliseconds after the simulator
 * started that request: the simulator's schedule (fixed gaps) plus what lies between it and the
 * consumer. Through the gateway the request reaches the simulator later, which is not per-chunk
 * latency, hence the simulator's own start time as the origin.
 */
const arrivals = async (
  url: string,
  simUrl: string,
  models: ReadonlyArray<string>
): Promise<Map<string, Array<number>>> => {
  const seen = new Map<string, Array<number>>(models.map((model) => [model, []]))
  await Promise.all(models.map((model) => {
    const times = seen.get(model)!
    return undiciRaw.consume(url, model, () => {
      times.push(epochMillis())
    })
  }))
  const started = new Map((await Simulator.records(simUrl)).map((record) => [record.model, record.startedAt]))
  for (const [model, times] of seen) {
    const origin = started.get(model)
    if (origin === undefined) throw new Error(`no simulator record for ${model}`)
    seen.set(model, times.map((time) => time - origin))
  }
  return seen
}

/** Per chunk: its offset through the gateway minus the same chunk's offset on the direct stream. */
const added = (
  direct: Map<string, Array<number>>,
  gateway: Map<string, Array<number>>,
  pairs: ReadonlyArray<readonly [string, string]>
): Array<number> =>
  pairs.flatMap(([directModel, gatewayModel]) => {
    const d = direct.get(directModel)!
    const g = gateway.get(gatewayModel)!
    return g.map((time, i) => time - d[i]!)
  })

/**
 * @since 0.1.0
 * @category scenarios
 */
export const gatewayOverhead: Scenario = {
  name: "gatewayOverhead",
  description: "throughput and per-chunk latency through apps/gateway versus straight to the simulator",
  variants: ["gateway"],
  processPerRun: false,
  exposeGc: false,
  needsGateway: true,
  runs: (settings) => settings.gatewayOverhead.runs,
  measure: async (job) => {
    const gatewayUrl = job.gatewayUrl
    if (gatewayUrl === undefined) throw new Error("gatewayOverhead needs the gateway")
    const { chunks, chunksPerConcurrentStream, concurrency, pacedChunks, pacedGapMillis } = job.settings.gatewayOverhead
    const steady = (n: number, seed: number) => `sim:steady?chunks=${n}&gap=0ms&jitter=0ms&seed=${seed}`
    const paced = (seed: number) => `sim:steady?chunks=${pacedChunks}&gap=${pacedGapMillis}ms&jitter=0ms&seed=${seed}`
    const range = (first: number, count: number) => Array.from({ length: count }, (_, i) => first + i)

    // Warm-up both paths (connections, JIT, the gateway's own).
    for (const url of [job.simUrl, gatewayUrl]) await throughput(url, [steady(100, 1)], 100)

    const latency = async (streams: number, seed: number) => {
      const seeds = range(seed, streams)
      const direct = await arrivals(job.simUrl, job.simUrl, seeds.map((s) => paced(s)))
      const through = await arrivals(gatewayUrl, job.simUrl, seeds.map((s) => paced(s + streams)))
      return added(direct, through, seeds.map((s) => [paced(s), paced(s + streams)] as const))
    }

    const runs: Array<Metrics> = []
    for (let run = 0; run < job.runs; run++) {
      const seed = 1_000_000 * (run + 1)
      const many = range(seed, concurrency).map((s) => steady(chunksPerConcurrentStream, s))
      const total = concurrency * chunksPerConcurrentStream
      const directOne = await throughput(job.simUrl, [steady(chunks, seed)], chunks)
      const gatewayOne = await throughput(gatewayUrl, [steady(chunks, seed)], chunks)
      const directMany = await throughput(job.simUrl, many, total)
      const gatewayMany = await throughput(gatewayUrl, many, total)
      await Simulator.clear(job.simUrl)
      const one = await latency(1, seed)
      const atMany = await latency(concurrency, seed + 10_000)
      await Simulator.clear(job.simUrl)
      runs.push({
        chunksPerSecond: gatewayOne,
        chunksPerSecondAtConcurrency: gatewayMany,
        addedLatencyMsP50: median(one),
        addedLatencyMsP99: percentile(one, 99),
        addedLatencyMsP50AtConcurrency: percentile(atMany, 50),
        addedLatencyMsP99AtConcurrency: percentile(atMany, 99),
        "direct.chunksPerSecond": directOne,
        "direct.chunksPerSecondAtConcurrency": directMany
      })
    }
    return runs
  },
  section: (medians) => {
    const all = medians["gateway"] ?? {}
    const metrics: Record<string, number> = {}
    const direct: Record<string, number> = {}
    for (const [key, value] of Object.entries(all)) {
      if (key.startsWith("direct.")) direct[key.slice("direct.".length)] = value
      else metrics[key] = value
    }
    return {
      metrics,
      baselines: { direct },
      ratios: {
        throughputVsDirect: ratio(metrics["chunksPerSecond"], direct["chunksPerSecond"]),
        throughputVsDirectAtConcurrency: ratio(
          metrics["chunksPerSecondAtConcurrency"],
          direct["chunksPerSecondAtConcurrency"]
        )
      }
    }
  }
}
