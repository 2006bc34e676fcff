/**
 * `npm run soak -- --streams 2000 --minutes 5`: holds long, mostly idle streams open through a
 * gateway process while short streams run beside them, prints one line per sample and a summary,
 * and checks that the gateway's descriptors come back to their baseline once every stream closed.
 * Exits 1 when they do not, or when streams are still in flight.
 *
 * @since 0.1.0
 */
import * as Fs from "node:fs/promises"
import { cpuMicros, sleep } from "../Stats.js"
import { SoakLoad } from "./SoakLoad.js"
import * as SoakOptions from "./SoakOptions.js"
import * as SoakProcesses from "./SoakProcesses.js"
import * as SoakReport from "./SoakReport.js"
import { SoakTally } from "./SoakTally.js"

// How long the closing waits for short streams to end, then for the gateway to settle.
const drainMillis = 30_000
const settleMillis = 30_000

/** The options given, or the exit code when there is nothing to run (`--help`, a bad option). */
const options = (): SoakOptions.SoakOptions | number => {
  let parsed: SoakOptions.SoakOptions | "help"
  try {
    parsed = SoakOptions.parse(process.argv.slice(2))
  } catch (error) {
    console.error(`${error instanceof Error ? error.message : String(error)}\n${SoakOptions.usage}`)
    return 2
  }
  if (parsed !== "help") return parsed
  console.log(SoakOptions.usage)
  return 0
}

const loadOf = (options: SoakOptions.SoakOptions, gatewayUrl: string, tally: SoakTally): SoakLoad =>
  new SoakLoad(gatewayUrl, {
    streams: options.streams,
    rampPerSecond: options.rampPerSecond,
    steadyPerSecond: options.steadyPerSecond,
    long: {
      chunks: options.longChunks,
      gapMillis: options.longGapMillis,
      keepaliveMillis: options.longKeepaliveMillis
    },
    steady: { chunks: options.steadyChunks, gapMillis: options.steadyGapMillis }
  }, tally)

const announce = (
  options: SoakOptions.SoakOptions,
  processes: SoakProcesses.Processes,
  baseline: SoakProcesses.GatewaySample
): void => {
  console.log(
    `soak: ${options.streams} long streams (${options.longChunks} chunks ${options.longGapMillis} ms apart, ` +
      `opened at ${options.rampPerSecond}/s), ${options.steadyPerSecond} short streams/s, ` +
      `${options.durationMillis / 60_000} min; gateway ${processes.gatewayUrl} (pid ${processes.gateway.pid}), ` +
      `admission limit ${options.maxConcurrentStreams}`
  )
  console.log(`gateway baseline: RSS ${(baseline.rssBytes / 1024 / 1024).toFixed(1)} MiB, ${baseline.fds} fds`)
  console.log(SoakReport.header())
}

/** Runs the load for the soak's duration, printing and keeping one sample per window. */
const sampleFor = async (
  options: SoakOptions.SoakOptions,
  sampler: SoakProcesses.GatewaySampler,
  baseline: SoakProcesses.GatewaySample,
  load: SoakLoad,
  tally: SoakTally
): Promise<Array<SoakReport.Sample>> => {
  const samples: Array<SoakReport.Sample> = []
  const start = performance.now()
  let previous = baseline
  let previousClientCpu = cpuMicros()
  load.start()
  for (let next = options.sampleMillis; next <= options.durationMillis; next += options.sampleMillis) {
    await sleep(Math.max(0, start + next - performance.now()))
    const gateway = await sampler.sample()
    const clientCpu = cpuMicros()
    const wallMicros = (gateway.atMillis - previous.atMillis) * 1000
    const sample: SoakReport.Sample = {
      elapsedSeconds: (performance.now() - start) / 1000,
      longOpen: load.longOpen,
      gateway: {
        rssBytes: gateway.rssBytes,
        fds: gateway.fds,
        inFlight: gateway.inFlight,
        cpuPercent: ((gateway.cpuMicros - previous.cpuMicros) / wallMicros) * 100
      },
      clientCpuPercent: ((clientCpu - previousClientCpu) / wallMicros) * 100,
      window: tally.takeWindow()
    }
    samples.push(sample)
    console.log(SoakReport.line(sample))
    previous = gateway
    previousClientCpu = clientCpu
  }
  await sleep(Math.max(0, start + options.durationMillis - performance.now()))
  return samples
}

/**
 * Closes every stream, then waits up to `settleMillis` for the gateway's descriptors to come back
 * to the baseline and nothing to be in flight.
 */
const close = async (
  sampler: SoakProcesses.GatewaySampler,
  baseline: SoakProcesses.GatewaySample,
  load: SoakLoad
): Promise<SoakReport.Closing> => {
  console.error(`soak: closing (${load.open} streams open)...`)
  await load.finish(drainMillis)
  const closedAt = performance.now()
  let end = await sampler.sample()
  while (
    (end.fds > baseline.fds || end.inFlight > 0) && performance.now() - closedAt < settleMillis
  ) {
    await sleep(500)
    end = await sampler.sample()
  }
  return {
    fdsBaseline: baseline.fds,
    fdsEnd: end.fds,
    fdsReturned: end.fds <= baseline.fds,
    inFlightEnd: end.inFlight,
    settleSeconds: (performance.now() - closedAt) / 1000,
    rssBaselineBytes: baseline.rssBytes,
    rssEndBytes: end.rssBytes
  }
}

/** The soak against a gateway and a simulator of its own; 0 when the gateway came back to its baseline. */
const soak = async (options: SoakOptions.SoakOptions): Promise<number> => {
  const startedAt = new Date().toISOString()
  console.error("soak: starting the simulator and the gateway...")
  const processes = await SoakProcesses.start({
    env: { STREAMGUARD_MAX_CONCURRENT_STREAMS: String(options.maxConcurrentStreams) },
    gatewayLog: options.gatewayLog
  })
  const sampler = new SoakProcesses.GatewaySampler(processes.gateway.pid!, processes.gatewayUrl)
  try {
    const baseline = await sampler.sample()
    const tally = new SoakTally()
    const load = loadOf(options, processes.gatewayUrl, tally)
    announce(options, processes, baseline)
    const samples = await sampleFor(options, sampler, baseline, load, tally)
    const closing = await close(sampler, baseline, load)
    const report: SoakReport.Report = { startedAt, options, samples, totals: tally.totals(), closing }
    console.log("")
    console.log(SoakReport.summary(report))
    if (options.json !== undefined) await Fs.writeFile(options.json, JSON.stringify(report, null, 2))
    return closing.fdsReturned && closing.inFlightEnd === 0 ? 0 : 1
  } finally {
    await sampler.close()
    await processes.stop()
  }
}

const main = async (): Promise<number> => {
  const given = options()
  return typeof given === "number" ? given : soak(given)
}

// Ctrl-C ends the soak; the exit handlers stop the gateway and the simulator with it.
for (const signal of ["SIGINT", "SIGTERM"] as const) process.once(signal, () => process.exit(130))

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error("soak failed:", error)
    process.exit(1)
  }
)
