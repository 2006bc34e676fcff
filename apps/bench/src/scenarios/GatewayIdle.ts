/**
 * `gatewayIdle`: what an idle stream costs the gateway. K streams are proxied through a gateway
 * process of the run's own (default config but for its admission limit and the chat profile's
 * `chunk` limit, 10 minutes) and left silent
 * (`sim:steady` with a 10-minute gap: the role opener, then silence), read by the cheapest reader
 * (`UndiciRaw`) in the worker. The gateway is sampled from outside (`/proc`, by the runner):
 * its RSS growth per stream, and its CPU while all K are open and silent; its `heapUsed` after
 * full collections, as it reports it, tells live data from pages kept.
 *
 * @since 0.1.0
 */
import type { Held } from "../Consumer.js"
import * as Ipc from "../Ipc.js"
import type { Scenario } from "../Scenario.js"
import { sleep } from "../Stats.js"
import { read } from "../UndiciRaw.js"

// The tag (the one-token text) tells the warm-up's records from the measured ones.
const model = (tag: string, i: number) => `sim:steady?text=${tag}&gap=600s&jitter=0ms&seed=${i}`

const warmupStreams = 20

interface Opened {
  readonly held: ReadonlyArray<Held>
  /** How streams that ended before `close` ended (their read returned, or undici's error), by count. */
  readonly ended: Map<string, number>
}

/**
 * Opens `count` streams evenly over `spreadMillis` (all at once for 0) and waits for every
 * response. A non-200 answer (the gateway refusing a stream) fails the run.
 */
const openAll = async (url: string, tag: string, count: number, spreadMillis: number): Promise<Opened> => {
  const held: Array<Held> = []
  let responses = 0
  const ended = new Map<string, number>()
  const refused: Array<number> = []
  const onResponse = (status: number) => {
    if (status === 200) responses++
    else refused.push(status)
  }
  const ignore = () => undefined
  const started = performance.now()
  for (let i = 0; i < count; i++) {
    const wait = started + (spreadMillis * i) / count - performance.now()
    if (wait >= 1) await sleep(wait)
    const controller = new AbortController()
    let closed = false
    const openedAt = performance.now()
    const end = (how: string) => {
      if (closed) return
      const key = `${how} after ${Math.round((performance.now() - openedAt) / 1000)} s`
      ended.set(key, (ended.get(key) ?? 0) + 1)
    }
    // A 5-minute idle limit per stream (undici's default `bodyTimeout`), as deployed.
    const done = read(url, model(tag, i), ignore, { signal: controller.signal, bodyTimeout: 300_000, onResponse })
      .then(
        () => end("the end of the body"),
        (error: unknown) => end(String((error as { code?: unknown })?.code ?? error))
      )
    held.push({
      close: () => {
        closed = true
        controller.abort()
      },
      ended: done
    })
  }
  const deadline = Date.now() + 60_000
  while (responses + refused.length < count) {
    if (Date.now() > deadline) throw new Error(`only ${responses} of ${count} streams answered through the gateway`)
    await sleep(50)
  }
  if (refused.length > 0) throw new Error(`the gateway refused ${refused.length} of ${count} streams (${refused[0]})`)
  return { held, ended }
}

const closeAll = async (held: ReadonlyArray<Held>): Promise<void> => {
  for (const stream of held) stream.close()
  await Promise.all(held.map((stream) => stream.ended))
}

/**
 * @since 0.1.0
 * @category scenarios
 */
export const gatewayIdle: Scenario = {
  name: "gatewayIdle",
  description: "the gateway process's memory per idle proxied stream, and its CPU while all are silent",
  variants: ["gateway"],
  processPerRun: true,
  exposeGc: false,
  needsGateway: false,
  // The default admission limit (256 streams in flight) would refuse most of them, and the default
  // chat profile ends a stream silent for 30 s: held idle, they get a 10-minute limit, as the
  // `idleMemory` streams keep a 5-minute one.
  ownGateway: (settings) => [
    "--max-concurrent-streams",
    String(settings.gatewayIdle.streams + warmupStreams),
    "--chat-chunk-timeout",
    "10m"
  ],
  runs: (settings) => settings.gatewayIdle.runs,
  measure: async (job) => {
    const gatewayUrl = job.gatewayUrl
    if (gatewayUrl === undefined) throw new Error("gatewayIdle needs its gateway")
    const { idleMillis, openSpreadMillis, streams } = job.settings.gatewayIdle
    // Warm-up: the gateway's code paths compiled, its pools and lazy modules in place.
    const warm = await openAll(gatewayUrl, "warm", warmupStreams, 0)
    await sleep(200)
    await closeAll(warm.held)
    // The gateway cancels the warm-up's upstreams and logs them after the clients left.
    await sleep(500)
    const before = await Ipc.sampleGateway(true)
    const idle = await openAll(gatewayUrl, "idle", streams, openSpreadMillis)
    // The opener frames are in flight right after the headers; let them be relayed and read.
    await sleep(500)
    const after = await Ipc.sampleGateway(true)
    // The collections' background work (sweeping) is not the streams'.
    await sleep(250)
    const cpuStart = await Ipc.sampleGateway(false)
    await sleep(idleMillis)
    const cpuEnd = await Ipc.sampleGateway(false)
    // A window that reached the gateway's limits would measure the streams' teardown, not their idling.
    if (idle.ended.size > 0) {
      const how = [...idle.ended].map(([key, count]) => `${count} by ${key}`).join(", ")
      throw new Error(`some of the ${streams} streams ended before the idle window did (${how})`)
    }
    await closeAll(idle.held)
    return [{
      rssBytesPerStream: (after.rssBytes - before.rssBytes) / streams,
      heapBytesPerStream: (after.heapUsedBytes! - before.heapUsedBytes!) / streams,
      idleCpuPercent: ((cpuEnd.cpuMicros - cpuStart.cpuMicros) / ((cpuEnd.atMillis - cpuStart.atMillis) * 1000)) * 100
    }]
  },
  section: (medians) => ({ metrics: medians["gateway"] ?? {}, baselines: {}, ratios: {} })
}
