/**
 * `idleMemory`: what a stream costs while it waits. K streams are opened at once on
 * `sim:steady` with a 10-minute gap (the role opener, then silence), held open, and measured:
 * memory per stream above the process's own baseline, and the process's CPU while all are silent.
 *
 * @since 0.1.0
 */
import type { Held } from "../Consumer.js"
import * as Ipc from "../Ipc.js"
import type { Scenario } from "../Scenario.js"
import { consumer, difference, effect4VsEffect3, lineRatios, ratio } from "../Scenario.js"
import { collect, cpuMicros, sleep } from "../Stats.js"

// The tag (the one-token text) tells the warm-up's records from the measured ones.
const prefix = (tag: string) => `sim:steady?text=${tag}&gap=600s&jitter=0ms&seed=`
const model = (tag: string, i: number) => `${prefix(tag)}${i}`

/** Opened in batches, each waited for: 10,000 at once outran the simulator's accept loop. */
const batch = 1_000

const openAll = async (
  open: (url: string, model: string) => Held,
  url: string,
  tag: string,
  count: number
): Promise<ReadonlyArray<Held>> => {
  const held: Array<Held> = []
  for (let i = 0; i < count; i++) {
    held.push(open(url, model(tag, i)))
    // The runner polls the simulator: polling from here would allocate in the heap being measured.
    if (held.length % batch === 0 || held.length === count) await Ipc.awaitOpen(prefix(tag), held.length)
  }
  return held
}

const closeAll = async (held: ReadonlyArray<Held>): Promise<void> => {
  for (const stream of held) stream.close()
  await Promise.all(held.map((stream) => stream.ended))
}

/**
 * @since 0.1.0
 * @category scenarios
 */
export const idleMemory: Scenario = {
  name: "idleMemory",
  description: "memory per idle open stream above the process baseline, and process CPU while all are silent",
  variants: ["subject", "effect4", "undiciRaw"],
  processPerRun: true,
  exposeGc: true,
  needsGateway: false,
  runs: (settings) => settings.idleMemory.runs,
  measure: async (job) => {
    const { idleMillis, streams } = job.settings.idleMemory
    const reader = await consumer(job.variant)
    const ignore = () => undefined
    // Both keep a 5-minute idle timer per stream (undici's default `bodyTimeout`), as deployed.
    const open = (url: string, spec: string) => reader.open(url, spec, ignore, 300_000)
    // Warm-up: code paths compiled, pools and lazy modules in place before the baseline.
    await closeAll(await openAll(open, job.simUrl, "warm", 20))
    await sleep(200)
    await collect()
    const before = process.memoryUsage()
    const held = await openAll(open, job.simUrl, "idle", streams)
    // The opener frames are in flight right after the headers; let them be read.
    await sleep(500)
    await collect()
    const after = process.memoryUsage()
    const cpuStart = cpuMicros()
    const wallStart = performance.now()
    await sleep(idleMillis)
    const idleCpuPercent = ((cpuMicros() - cpuStart) / ((performance.now() - wallStart) * 1000)) * 100
    await closeAll(held)
    await reader.dispose()
    return [{
      rssBytesPerStream: (after.rss - before.rss) / streams,
      heapBytesPerStream: (after.heapUsed - before.heapUsed) / streams,
      idleCpuPercent
    }]
  },
  section: (medians) => ({
    metrics: medians["subject"] ?? {},
    baselines: { effect4: medians["effect4"] ?? {}, undiciRaw: medians["undiciRaw"] ?? {} },
    ratios: {
      vsUndiciRaw: ratio(medians["subject"]?.["rssBytesPerStream"], medians["undiciRaw"]?.["rssBytesPerStream"]),
      heapVsUndiciRaw: ratio(medians["subject"]?.["heapBytesPerStream"], medians["undiciRaw"]?.["heapBytesPerStream"]),
      ...lineRatios(medians, "rssBytesPerStream", "VsUndiciRaw", "undiciRaw"),
      ...lineRatios(medians, "heapBytesPerStream", "HeapVsUndiciRaw", "undiciRaw"),
      ...effect4VsEffect3(medians, "rssBytesPerStream")
    },
    derived: {
      // Percentage points of one core above the floor's: near zero, a ratio would be noise.
      idleCpuAboveUndiciRaw: difference(
        medians["subject"]?.["idleCpuPercent"],
        medians["undiciRaw"]?.["idleCpuPercent"]
      ),
      effect4IdleCpuAboveUndiciRaw: difference(
        medians["effect4"]?.["idleCpuPercent"],
        medians["undiciRaw"]?.["idleCpuPercent"]
      )
    }
  })
}
