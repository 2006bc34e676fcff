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
import { percentile } from "../Stats.js"
import { addedAt, lastChunkLatencies, splitDirect, throughput } from "../StreamTiming.js"

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
    const { chunks, chunksPerConcurrentStream, concurrency, pacedChunks, pacedGapMillis, pacedRounds } =
      job.settings.gatewayOverhead
    const steady = (n: number, seed: number) => `sim:steady?chunks=${n}&gap=0ms&jitter=0ms&seed=${seed}`
    const paced = (seed: number) => `sim:steady?chunks=${pacedChunks}&gap=${pacedGapMillis}ms&jitter=0ms&seed=${seed}`
    const range = (first: number, count: number) => Array.from({ length: count }, (_, i) => first + i)

    // Warm-up both paths (connections, JIT, the gateway's own).
    for (const url of [job.simUrl, gatewayUrl]) await throughput(url, [steady(100, 1)], 100)

    // Rounds of `streams` concurrent paced streams, straight and through the gateway.
    const latencies = async (url: string, streams: number, rounds: number, seed: number) => {
      const all: Array<number> = []
      for (let round = 0; round < rounds; round++) {
        const models = range(seed + round * streams, streams).map(paced)
        all.push(...await lastChunkLatencies(url, job.simUrl, models))
      }
      return all
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
      const directOneLatency = await latencies(job.simUrl, 1, pacedRounds, seed + 100_000)
      const gatewayOneLatency = await latencies(gatewayUrl, 1, pacedRounds, seed + 200_000)
      const directManyLatency = await latencies(job.simUrl, concurrency, 1, seed + 300_000)
      const gatewayManyLatency = await latencies(gatewayUrl, concurrency, 1, seed + 400_000)
      await Simulator.clear(job.simUrl)
      runs.push({
        chunksPerSecond: gatewayOne,
        chunksPerSecondAtConcurrency: gatewayMany,
        addedLatencyMsP50: addedAt(50, directOneLatency, gatewayOneLatency),
        addedLatencyMsP99: addedAt(99, directOneLatency, gatewayOneLatency),
        addedLatencyMsP50AtConcurrency: addedAt(50, directManyLatency, gatewayManyLatency),
        addedLatencyMsP99AtConcurrency: addedAt(99, directManyLatency, gatewayManyLatency),
        "direct.lastChunkLatencyMsP50": percentile(directOneLatency, 50),
        "direct.lastChunkLatencyMsP99": percentile(directOneLatency, 99),
        "direct.chunksPerSecond": directOne,
        "direct.chunksPerSecondAtConcurrency": directMany
      })
    }
    return runs
  },
  section: (medians) => {
    const { direct, metrics } = splitDirect(medians["gateway"] ?? {})
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
