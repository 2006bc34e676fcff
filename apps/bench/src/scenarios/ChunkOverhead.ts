/**
 * `chunkOverhead`: the CPU one content chunk costs while a single stream runs flat out
 * (`sim:steady`, no gaps), for the subject and both baselines.
 *
 * @since 0.1.0
 */
import type { Metrics, Scenario } from "../Scenario.js"
import { consumer, effect4VsEffect3, lineRatios, ratio } from "../Scenario.js"
import { cpuMicros } from "../Stats.js"

const model = (chunks: number) => `sim:steady?chunks=${chunks}&gap=0ms&jitter=0ms`

/**
 * @since 0.1.0
 * @category scenarios
 */
export const chunkOverhead: Scenario = {
  name: "chunkOverhead",
  description: "CPU per content chunk and chunks per second of one stream with no gaps (OpenAI chat dialect)",
  variants: ["subject", "effect4", "undiciRaw", "openaiSdk"],
  processPerRun: false,
  exposeGc: false,
  needsGateway: false,
  runs: (settings) => settings.chunkOverhead.runs,
  measure: async (job) => {
    const { chunks, warmupChunks } = job.settings.chunkOverhead
    const reader = await consumer(job.variant)
    let seen = 0
    const onChunk = () => {
      seen++
    }
    await reader.consume(job.simUrl, model(warmupChunks), onChunk)
    const runs: Array<Metrics> = []
    for (let run = 0; run < job.runs; run++) {
      seen = 0
      const wallStart = performance.now()
      const cpuStart = cpuMicros()
      await reader.consume(job.simUrl, model(chunks), onChunk)
      const cpu = cpuMicros() - cpuStart
      const wall = performance.now() - wallStart
      if (seen !== chunks) throw new Error(`${job.variant} saw ${seen} content chunks of ${chunks}`)
      runs.push({ cpuMicrosPerChunk: cpu / chunks, chunksPerSecond: chunks / (wall / 1000) })
    }
    await reader.dispose()
    return runs
  },
  section: (medians) => ({
    metrics: medians["subject"] ?? {},
    baselines: {
      effect4: medians["effect4"] ?? {},
      undiciRaw: medians["undiciRaw"] ?? {},
      openaiSdk: medians["openaiSdk"] ?? {}
    },
    ratios: {
      vsUndiciRaw: ratio(medians["subject"]?.["cpuMicrosPerChunk"], medians["undiciRaw"]?.["cpuMicrosPerChunk"]),
      vsOpenaiSdk: ratio(medians["subject"]?.["cpuMicrosPerChunk"], medians["openaiSdk"]?.["cpuMicrosPerChunk"]),
      ...lineRatios(medians, "cpuMicrosPerChunk", "VsUndiciRaw", "undiciRaw"),
      ...lineRatios(medians, "cpuMicrosPerChunk", "VsOpenaiSdk", "openaiSdk"),
      ...effect4VsEffect3(medians, "cpuMicrosPerChunk")
    }
  })
}
