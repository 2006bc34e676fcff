/**
 * `gatewayIdle` and `gatewayIdle9k`: what an idle stream costs the gateway. K streams are proxied
 * through a gateway process of the run's own (default config but for its admission limit and the
 * chat profile's `chunk` limit, 10 minutes) and left silent (`sim:steady` with a 10-minute gap:
 * the role opener, then silence), read by the cheapest reader (`UndiciRaw`) in the worker. The
 * gateway is sampled from outside (`/proc`, by the runner): its RSS and descriptors per stream, and
 * its CPU while all K are open and silent; its `heapUsed` after full collections, as it reports
 * it, tells live data from pages kept. `gatewayIdle` also measures its CPU while one viewer polls
 * the live page's data (`StreamsViewer`).
 *
 * @since 0.1.0
 */
import { closeAll, describe, openAll } from "../IdleStreams.js"
import * as Ipc from "../Ipc.js"
import * as Proc from "../Proc.js"
import type { Job, Metrics, Scenario } from "../Scenario.js"
import type { IdleSettings, Mode, Settings } from "../Settings.js"
import { sleep } from "../Stats.js"
import * as StreamsViewer from "../StreamsViewer.js"

const warmupStreams = 20
/** Polls of the live page's data before its window. */
const viewerWarmupPolls = 10

/** CPU over wall time between two samples of the gateway, in percent of one core. */
const cpuPercent = (start: Ipc.Usage, end: Ipc.Usage): number =>
  ((end.cpuMicros - start.cpuMicros) / ((end.atMillis - start.atMillis) * 1000)) * 100

/** The gateway's CPU over `millis` while the streams idle, with one viewer polling it when `viewed`. */
const window = async (gatewayUrl: string, millis: number, viewed: boolean): Promise<number | undefined> => {
  const start = await Ipc.sampleGateway(false)
  if (viewed) {
    if (!await StreamsViewer.watch(gatewayUrl, millis)) return undefined
  } else {
    await sleep(millis)
  }
  return cpuPercent(start, await Ipc.sampleGateway(false))
}

/** The run's figures, once the warm-up is done and closed. */
const measured = async (gatewayUrl: string, sizes: IdleSettings, viewer: boolean): Promise<Metrics> => {
  const { idleMillis, openSpreadMillis, streams } = sizes
  const before = await Ipc.sampleGateway(true)
  const idle = await openAll(gatewayUrl, "idle", streams, openSpreadMillis)
  // The opener frames are in flight right after the headers; let them be relayed and read.
  await sleep(500)
  const after = await Ipc.sampleGateway(true)
  // The viewer's code compiled before its window, as the warm-up streams compiled the relay's.
  const viewed = viewer && await StreamsViewer.warm(gatewayUrl, viewerWarmupPolls)
  if (viewer && !viewed) {
    console.error(`bench: the gateway has no ${StreamsViewer.path} yet: idleCpuPercentWithViewer is absent`)
  }
  // The collections' and the compiler's background work is not the streams'.
  await sleep(250)
  const idleCpuPercent = (await window(gatewayUrl, idleMillis, false))!
  const withViewer = viewed ? await window(gatewayUrl, idleMillis, true) : undefined
  // A window that reached the gateway's limits would measure the streams' teardown, not their idling.
  if (idle.ended.size > 0) {
    throw new Error(`some of the ${streams} streams ended before the idle windows did (${describe(idle.ended)})`)
  }
  await closeAll(idle.held)
  return {
    rssBytesPerStream: (after.rssBytes - before.rssBytes) / streams,
    heapBytesPerStream: (after.heapUsedBytes! - before.heapUsedBytes!) / streams,
    descriptorsPerStream: (after.descriptors - before.descriptors) / streams,
    idleCpuPercent,
    // Absent (not reported) while the gateway has no `/streams.json`.
    ...(withViewer === undefined ? {} : { idleCpuPercentWithViewer: withViewer })
  }
}

/** Why a run failed, with each process's descriptors where one of them ran out (`EMFILE`). */
const diagnosed = async (error: unknown, job: Job): Promise<Error> => {
  const gateway = await Ipc.sampleGateway(false).catch(() => undefined)
  const held = [
    gateway === undefined
      ? undefined
      : Proc.exhaustion("the gateway", { open: gateway.descriptors, limit: gateway.descriptorLimit }),
    Proc.exhaustion("the reader", await Proc.descriptors(process.pid)),
    job.simPid === undefined
      ? undefined
      : await Proc.descriptors(job.simPid).then((d) => Proc.exhaustion("the simulator", d), () => undefined)
  ].filter((line) => line !== undefined)
  const message = error instanceof Error ? error.message : String(error)
  return new Error([message, ...held].join("\n"))
}

const make = (options: {
  readonly name: string
  readonly description: string
  readonly sizes: (settings: Settings) => IdleSettings
  readonly viewer: boolean
  readonly modes?: ReadonlyArray<Mode>
}): Scenario => ({
  name: options.name,
  description: options.description,
  variants: ["gateway"],
  processPerRun: true,
  exposeGc: false,
  needsGateway: false,
  modes: options.modes,
  // The default admission limit (256 streams in flight) would refuse most of them, and the default
  // chat profile ends a stream silent for 30 s: held idle, they get a 10-minute limit, as the
  // `idleMemory` streams keep a 5-minute one.
  ownGateway: (settings) => [
    "--max-concurrent-streams",
    String(options.sizes(settings).streams + warmupStreams),
    "--chat-chunk-timeout",
    "10m"
  ],
  runs: (settings) => options.sizes(settings).runs,
  measure: async (job) => {
    const gatewayUrl = job.gatewayUrl
    if (gatewayUrl === undefined) throw new Error(`${options.name} needs its gateway`)
    try {
      // Warm-up: the gateway's code paths compiled, its pools and lazy modules in place.
      const warm = await openAll(gatewayUrl, "warm", warmupStreams, 0)
      await sleep(200)
      await closeAll(warm.held)
      // The gateway cancels the warm-up's upstreams and logs them after the clients left.
      await sleep(500)
      return [await measured(gatewayUrl, options.sizes(job.settings), options.viewer)]
    } catch (error) {
      throw await diagnosed(error, job)
    }
  },
  section: (medians) => ({ metrics: medians["gateway"] ?? {}, baselines: {}, ratios: {} })
})

/**
 * @since 0.1.0
 * @category scenarios
 */
export const gatewayIdle: Scenario = make({
  name: "gatewayIdle",
  description: "the gateway process's memory per idle proxied stream, and its CPU while all are silent " +
    "(and while one viewer polls /streams.json)",
  sizes: (settings) => settings.gatewayIdle,
  viewer: true
})

/**
 * @since 0.1.0
 * @category scenarios
 */
export const gatewayIdle9k: Scenario = make({
  name: "gatewayIdle9k",
  description: "gatewayIdle at 9,000 streams through one gateway: memory, descriptors and CPU per idle stream",
  sizes: (settings) => settings.gatewayIdle9k,
  viewer: false,
  // A minute of 9,000 streams: the full run's.
  modes: ["full"]
})
