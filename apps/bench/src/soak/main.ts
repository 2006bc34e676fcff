/**
 * `npm run soak -- --streams 2000 --minutes 5`: holds long, mostly idle streams open through a
 * gateway process while short streams run beside them, prints one line per sample, a summary and
 * the verdict (`SoakVerdict`). Exits 0 when the verdict passes, 1 when it fails, 2 when the run
 * could not start (a bad flag, an open-files limit below what the streams need).
 *
 * @since 0.1.0
 */
import * as Fs from "node:fs/promises"
import * as Os from "node:os"
import { cpuMicros, sleep } from "../Stats.js"
import { outcomeOf } from "./SoakErrors.js"
import * as SoakLimits from "./SoakLimits.js"
import { SoakLoad } from "./SoakLoad.js"
import * as SoakOptions from "./SoakOptions.js"
import * as SoakProcesses from "./SoakProcesses.js"
import * as SoakReport from "./SoakReport.js"
import { type GatewaySample, GatewaySampler } from "./SoakSampler.js"
import { SoakTally } from "./SoakTally.js"
import * as SoakVerdict from "./SoakVerdict.js"

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
    rampWindow: options.rampWindow,
    steadyPerSecond: options.steadyPerSecond,
    long: {
      chunks: options.longChunks,
      gapMillis: options.longGapMillis,
      keepaliveMillis: options.longKeepaliveMillis
    },
    steady: { chunks: options.steadyChunks, gapMillis: options.steadyGapMillis }
  }, tally)

/**
 * Counts an error that escaped every stream's handling as `uncaught:<label>` (printed the first
 * time each label is seen) instead of ending the run: the verdict fails on it. Returns what
 * removes the handlers.
 */
const countStrays = (tally: SoakTally): () => void => {
  const seen = new Set<string>()
  const onError = (error: unknown) => {
    const label = `uncaught:${outcomeOf(error)}`
    tally.ended(label)
    if (seen.has(label)) return
    seen.add(label)
    console.error(`soak: an error no stream caught, counted as ${label}:`, error)
  }
  process.on("uncaughtException", onError)
  process.on("unhandledRejection", onError)
  return () => {
    process.off("uncaughtException", onError)
    process.off("unhandledRejection", onError)
  }
}

type Limits = SoakReport.Report["limits"]

const announce = (
  options: SoakOptions.SoakOptions,
  processes: SoakProcesses.Processes,
  limits: Limits,
  baseline: GatewaySample
): void => {
  console.log(
    `soak: ${options.streams} long streams (${options.longChunks} chunks ${options.longGapMillis} ms apart, ` +
      `opened at up to ${options.rampPerSecond}/s, ${options.rampWindow} awaiting headers at most), ` +
      `${options.steadyPerSecond} short streams/s, ${options.durationMillis / 60_000} min; ` +
      `admission limit ${options.maxConcurrentStreams}; load average ${Os.loadavg().map((v) => v.toFixed(2)).join(" ")}`
  )
  console.log(`gateway: ${processes.gatewayRun}, ${processes.gatewayUrl} (pid ${processes.gateway.pid})`)
  console.log(
    `open-files limits (soft/hard): gateway ${limits.gateway.soft}/${limits.gateway.hard}, simulator ${limits.simulator.soft}/${limits.simulator.hard}, ` +
      `client ${limits.client.soft}/${limits.client.hard}`
  )
  console.log(`gateway baseline: RSS ${(baseline.rssBytes / 1024 / 1024).toFixed(1)} MiB, ${baseline.fds} fds`)
  console.log(SoakReport.header())
}

const exited = (processes: SoakProcesses.Processes): boolean =>
  processes.gateway.exitCode !== null || processes.gateway.signalCode !== null

const sampleOf = (
  load: SoakLoad,
  start: number,
  previous: GatewaySample,
  gateway: GatewaySample,
  clientCpuMicros: number,
  tally: SoakTally
): SoakReport.Sample => {
  const wallMicros = (gateway.atMillis - previous.atMillis) * 1000
  return {
    elapsedSeconds: (performance.now() - start) / 1000,
    longOpen: load.longOpen,
    gateway: {
      rssBytes: gateway.rssBytes,
      fds: gateway.fds,
      inFlight: gateway.inFlight,
      cpuPercent: ((gateway.cpuMicros - previous.cpuMicros) / wallMicros) * 100,
      metricsError: gateway.metricsError
    },
    simulatorFds: gateway.simulatorFds,
    clientFds: gateway.clientFds,
    clientCpuPercent: (clientCpuMicros / wallMicros) * 100,
    window: tally.takeWindow()
  }
}

/**
 * Runs the load for the soak's duration, printing and keeping one sample per window; stops early
 * if the gateway exits.
 */
const sampleFor = async (
  options: SoakOptions.SoakOptions,
  processes: SoakProcesses.Processes,
  sampler: GatewaySampler,
  baseline: GatewaySample,
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
    if (exited(processes)) return samples
    const gateway = await sampler.sample()
    const clientCpu = cpuMicros()
    const sample = sampleOf(load, start, previous, gateway, clientCpu - previousClientCpu, tally)
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
 * to the baseline and nothing to be in flight (an unread `/metrics` is not nothing).
 */
const close = async (
  processes: SoakProcesses.Processes,
  sampler: GatewaySampler,
  baseline: GatewaySample,
  load: SoakLoad
): Promise<SoakReport.Closing> => {
  console.error(`soak: closing (${load.open} streams open)...`)
  await load.finish(drainMillis)
  const closedAt = performance.now()
  if (exited(processes)) {
    console.error(`soak: the gateway exited (${processes.gateway.exitCode ?? processes.gateway.signalCode})`)
    return {
      fdsBaseline: baseline.fds,
      fdsEnd: Number.NaN,
      fdsReturned: false,
      inFlightEnd: Number.NaN,
      settleSeconds: 0,
      rssBaselineBytes: baseline.rssBytes,
      rssEndBytes: Number.NaN
    }
  }
  let end = await sampler.sample()
  while ((end.fds > baseline.fds || end.inFlight !== 0) && performance.now() - closedAt < settleMillis) {
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

/** Each process's open-files limit, and what the run needs; the shortfalls, if any, printed. */
const checkLimits = async (
  options: SoakOptions.SoakOptions,
  processes: SoakProcesses.Processes
): Promise<{ readonly limits: Limits; readonly needs: SoakLimits.Needs; readonly ok: boolean }> => {
  const limits: Limits = {
    gateway: await SoakLimits.nofile(processes.gateway.pid!),
    simulator: await SoakLimits.nofile(processes.simulator.pid!),
    client: await SoakLimits.nofile("self")
  }
  const needs = SoakLimits.needs(
    options.streams,
    options.steadyPerSecond,
    options.steadyChunks * options.steadyGapMillis
  )
  const short = SoakLimits.shortfalls(limits, needs)
  for (const line of short) console.error(`soak: ${line}`)
  return { limits, needs, ok: short.length === 0 }
}

/** The load, the closing, the verdict and the report, once the processes run and their limits hold. */
const run = async (
  options: SoakOptions.SoakOptions,
  processes: SoakProcesses.Processes,
  sampler: GatewaySampler,
  tally: SoakTally,
  checked: { readonly limits: Limits; readonly needs: SoakLimits.Needs }
): Promise<SoakReport.Report> => {
  const startedAt = new Date().toISOString()
  const loadStart = Os.loadavg()
  const baseline = await sampler.sample()
  const load = loadOf(options, processes.gatewayUrl, tally)
  announce(options, processes, checked.limits, baseline)
  const samples = await sampleFor(options, processes, sampler, baseline, load, tally)
  const closing = await close(processes, sampler, baseline, load)
  const rampSeconds = load.rampSeconds
  const warmedAtSeconds = rampSeconds === undefined ? undefined : rampSeconds + options.warmupMillis / 1000
  const totals = tally.totals()
  const verdict = SoakVerdict.judge({
    totals,
    streams: options.streams,
    rampSeconds,
    rss: SoakVerdict.rssFlat(
      samples.map((sample) => ({ elapsedSeconds: sample.elapsedSeconds, rssBytes: sample.gateway.rssBytes })),
      warmedAtSeconds
    ),
    fdsBaseline: closing.fdsBaseline,
    fdsEnd: closing.fdsEnd,
    inFlightEnd: closing.inFlightEnd
  })
  return {
    startedAt,
    options,
    gatewayRun: processes.gatewayRun,
    ...checked,
    rampSeconds,
    warmedAtSeconds,
    loadAverage: { start: loadStart, end: Os.loadavg() },
    samples,
    totals,
    closing,
    verdict
  }
}

/** The soak against a gateway and a simulator of its own: 0 when the verdict passes. */
const soak = async (options: SoakOptions.SoakOptions): Promise<number> => {
  const tally = new SoakTally()
  const release = countStrays(tally)
  console.error(options.gatewayCommand === undefined ? "soak: building the gateway..." : "soak: starting...")
  const processes = await SoakProcesses.start({
    env: { STREAMGUARD_MAX_CONCURRENT_STREAMS: String(options.maxConcurrentStreams) },
    gatewayLog: options.gatewayLog,
    gatewayCommand: options.gatewayCommand
  })
  const sampler = new GatewaySampler(
    { gateway: processes.gateway.pid!, simulator: processes.simulator.pid! },
    processes.gatewayUrl
  )
  try {
    const checked = await checkLimits(options, processes)
    if (!checked.ok) return 2
    const report = await run(options, processes, sampler, tally, checked)
    console.log("")
    console.log(SoakReport.summary(report))
    if (options.json !== undefined) await Fs.writeFile(options.json, JSON.stringify(report, null, 2))
    return report.verdict.pass ? 0 : 1
  } finally {
    release()
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
