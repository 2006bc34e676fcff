/**
 * `gatewayScale`: one event loop is one core. The same load through four ways of serving it, all
 * in front of the one simulator: one gateway process alone (the baseline); nginx (configured as
 * deploy/nginx/streamguard.conf) in front of that one replica, then in front of two (each its own
 * process); and Node's `cluster` module, two gateway workers behind one port (`bin/cluster.ts`).
 * Throughput at concurrency and the latency each adds to paced streams, in the same run, the
 * order of the paths turning from run to run. Needs nginx (Debian's package); without it the bench
 * leaves the scenario out. The load, the simulator, nginx and the gateways share the machine's
 * cores: on a 2-core machine two gateways cannot get a core each, and the ratios say what the
 * second one brings there, not on a machine of its own.
 *
 * @since 0.1.0
 */
import { type ChildProcess, spawn } from "node:child_process"
import * as Fs from "node:fs"
import * as Os from "node:os"
import * as Path from "node:path"
import { fileURLToPath } from "node:url"
import { bundled, executable, firstMessage, freePort, spawnNode, stop } from "../NodeProcess.js"
import type { Job, Metrics, Scenario } from "../Scenario.js"
import { ratio } from "../Scenario.js"
import * as Simulator from "../Simulator.js"
import { percentile } from "../Stats.js"
import { addedAt, lastChunkLatencies, splitDirect, throughput } from "../StreamTiming.js"

const nginxPath = (): string | undefined => executable("nginx")

/**
 * Whether this machine can run the scenario (nginx installed).
 *
 * @since 0.1.0
 * @category predicates
 */
export const available = (): boolean => nginxPath() !== undefined

/** deploy/nginx/streamguard.conf, found from this file up (it runs from the bench's bundle). */
const nginxTemplate = (): string => {
  let dir = Path.dirname(fileURLToPath(import.meta.url))
  for (;;) {
    const file = Path.join(dir, "deploy", "nginx", "streamguard.conf")
    if (Fs.existsSync(file)) return Fs.readFileSync(file, "utf8")
    const parent = Path.dirname(dir)
    if (parent === dir) throw new Error("deploy/nginx/streamguard.conf not found above the bench")
    dir = parent
  }
}

/**
 * A bundled server (a gateway replica, a cluster of them) in a process of its own; its URL once it
 * announced it. Stopped if it does not (it exited, or said nothing in time).
 */
const startServer = async (args: ReadonlyArray<string>) => {
  const child = spawnNode(args, ["ignore", "ignore", "inherit", "ipc"])
  try {
    const { url } = await firstMessage<{ url: string }>(child)
    return { url, child }
  } catch (error) {
    await stop(child)
    throw error
  }
}

/** How long nginx may take to write its pid file; it takes milliseconds. */
const nginxStartMillis = 30_000

/** Resolves once nginx's pid file exists; fails if nginx exits, cannot start, or takes too long. */
const nginxReady = (child: ChildProcess, dir: string, pid: string): Promise<void> =>
  new Promise((resolve, reject) => {
    const settle = (error: Error | undefined) => {
      clearTimeout(timer)
      watcher.close()
      child.off("exit", onExit).off("error", settle)
      if (error === undefined) resolve()
      else reject(error)
    }
    const onExit = (code: number | null) => settle(new Error(`nginx exited (${code}) at start`))
    const timer = setTimeout(
      () => settle(new Error(`nginx did not write its pid file within ${nginxStartMillis} ms`)),
      nginxStartMillis
    )
    const watcher = Fs.watch(dir, () => {
      if (Fs.existsSync(pid)) settle(undefined)
    })
    child.once("exit", onExit).once("error", settle)
    if (Fs.existsSync(pid)) settle(undefined)
  })

/**
 * nginx in the foreground in front of `replicas`; its URL once its pid file (written after listen)
 * exists. When it does not start, it is stopped and its folder removed.
 */
const startNginx = async (replicas: ReadonlyArray<string>) => {
  const port = await freePort()
  const dir = Fs.mkdtempSync(Path.join(Os.tmpdir(), "bench-nginx-"))
  const servers = replicas.map((url) => `server ${new URL(url).host} max_fails=1 fail_timeout=10s;`)
  const site = nginxTemplate()
    .replace(/^\s*server streamguard-\d+:8080[^\n]*\n/gm, "")
    .replace("upstream streamguard {\n", `upstream streamguard {\n    ${servers.join("\n    ")}\n`)
    .replace("listen 80;", `listen 127.0.0.1:${port};`)
  const temp = ["client_body", "proxy", "fastcgi", "uwsgi", "scgi"].map((kind) =>
    `${kind}_temp_path ${Path.join(dir, kind)};`
  )
  const conf = Path.join(dir, "nginx.conf")
  const pid = Path.join(dir, "nginx.pid")
  Fs.writeFileSync(
    conf,
    `daemon off;\npid ${pid};\nerror_log ${Path.join(dir, "error.log")} warn;\nworker_processes 1;\n` +
      `events { worker_connections 8192; }\nhttp {\naccess_log off;\n${temp.join("\n")}\n${site}\n}\n`
  )
  const child: ChildProcess = spawn(nginxPath()!, ["-c", conf, "-e", Path.join(dir, "error.log")], {
    stdio: ["ignore", "ignore", "inherit"]
  })
  const stopNginx = async () => {
    await stop(child)
    Fs.rmSync(dir, { recursive: true, force: true })
  }
  try {
    await nginxReady(child, dir, pid)
  } catch (error) {
    await stopNginx()
    throw error
  }
  return { url: `http://127.0.0.1:${port}`, stop: stopNginx }
}

/** The ways of serving the load, by the suffix of their metrics. */
type Paths = Readonly<Record<"OneProcess" | "OneReplica" | "TwoReplicas" | "Cluster", string>>

/** The same `items`, turned by `by` places: each run measures the paths in another order. */
const turned = <A>(items: ReadonlyArray<A>, by: number): ReadonlyArray<A> =>
  items.map((_, i) => items[(i + by) % items.length]!)

/** One run: throughput at concurrency, then the paced streams' latency, straight and through each path. */
const measureRun = async (job: Job, paths: Paths, run: number): Promise<Metrics> => {
  // The sizes of gatewayOverhead's concurrent part, so the two read alike.
  const { chunksPerConcurrentStream, concurrency, pacedChunks, pacedGapMillis } = job.settings.gatewayOverhead
  const steady = (seed: number) => `sim:steady?chunks=${chunksPerConcurrentStream}&gap=0ms&jitter=0ms&seed=${seed}`
  const paced = (seed: number) => `sim:steady?chunks=${pacedChunks}&gap=${pacedGapMillis}ms&jitter=0ms&seed=${seed}`
  const range = (first: number, count: number) => Array.from({ length: count }, (_, i) => first + i)
  const total = concurrency * chunksPerConcurrentStream
  const seed = 1_000_000 * (run + 1)
  const order = turned(Object.entries(paths), run)
  const many = range(seed, concurrency).map(steady)
  const direct = await throughput(job.simUrl, many, total)
  const throughputs = new Map<string, number>()
  for (const [name, url] of order) throughputs.set(name, await throughput(url, many, total))
  await Simulator.clear(job.simUrl)
  const latencies = (url: string, first: number) =>
    lastChunkLatencies(url, job.simUrl, range(first, concurrency).map(paced))
  const directLatency = await latencies(job.simUrl, seed + 100_000)
  const added = new Map<string, ReadonlyArray<number>>()
  for (const [i, [name, url]] of order.entries()) added.set(name, await latencies(url, seed + 200_000 + i * 100_000))
  await Simulator.clear(job.simUrl)
  return {
    ...Object.fromEntries(
      Object.keys(paths).flatMap((name) => [
        [`chunksPerSecond${name}`, throughputs.get(name)!],
        [`addedLatencyMsP50${name}`, addedAt(50, directLatency, added.get(name)!)],
        [`addedLatencyMsP99${name}`, addedAt(99, directLatency, added.get(name)!)]
      ])
    ),
    "direct.chunksPerSecond": direct,
    "direct.lastChunkLatencyMsP50": percentile(directLatency, 50),
    "direct.lastChunkLatencyMsP99": percentile(directLatency, 99)
  }
}

/** Starts every path's processes, runs `use` on their URLs, and stops them all. */
const withPaths = async <A>(job: Job, use: (paths: Paths) => Promise<A>): Promise<A> => {
  // Admission sized to the load: the scenario measures the relay, not the limit.
  const flags = [
    "--upstream",
    job.simUrl,
    "--max-concurrent-streams",
    String(job.settings.gatewayOverhead.concurrency * 4)
  ]
  // Each process joins `stops` as soon as it runs: one that fails to start must not leak those before it.
  const stops: Array<() => Promise<void>> = []
  const server = async (args: ReadonlyArray<string>) => {
    const started = await startServer(args)
    stops.push(() => stop(started.child))
    return started
  }
  const nginx = async (replicas: ReadonlyArray<string>) => {
    const started = await startNginx(replicas)
    stops.push(started.stop)
    return started
  }
  try {
    const replicas = [await server([bundled("gateway"), ...flags]), await server([bundled("gateway"), ...flags])]
    const cluster = await server([bundled("cluster"), "--workers", String(clusterWorkers), ...flags])
    const one = await nginx([replicas[0]!.url])
    const two = await nginx(replicas.map((replica) => replica.url))
    return await use({ OneProcess: replicas[0]!.url, OneReplica: one.url, TwoReplicas: two.url, Cluster: cluster.url })
  } finally {
    await Promise.all(stops.map((stopIt) => stopIt()))
  }
}

/** Workers of the cluster path: as many as the replicas nginx balances, as many as this machine's cores. */
const clusterWorkers = 2

/**
 * @since 0.1.0
 * @category scenarios
 */
export const gatewayScale: Scenario = {
  name: "gatewayScale",
  description: "throughput and added latency of 1 gateway process, nginx in front of 1 and of 2 replicas, " +
    "and a cluster of 2 gateway workers behind one port",
  variants: ["gateway"],
  processPerRun: false,
  exposeGc: false,
  needsGateway: false,
  runs: (settings) => settings.gatewayOverhead.runs,
  measure: (job) =>
    withPaths(job, async (paths) => {
      const { chunksPerConcurrentStream, concurrency } = job.settings.gatewayOverhead
      const steady = (seed: number) => `sim:steady?chunks=${chunksPerConcurrentStream}&gap=0ms&jitter=0ms&seed=${seed}`
      const warmup = Array.from({ length: concurrency }, (_, i) => steady(i + 1))
      for (const url of [job.simUrl, ...Object.values(paths)]) {
        await throughput(url, warmup, concurrency * chunksPerConcurrentStream)
      }
      const runs: Array<Metrics> = []
      for (let run = 0; run < job.runs; run++) runs.push(await measureRun(job, paths, run))
      return runs
    }),
  section: (medians) => {
    const { direct, metrics } = splitDirect(medians["gateway"] ?? {})
    return {
      metrics,
      baselines: { direct },
      ratios: {
        throughputTwoVsOneReplica: ratio(metrics["chunksPerSecondTwoReplicas"], metrics["chunksPerSecondOneReplica"]),
        throughputOneReplicaVsDirect: ratio(metrics["chunksPerSecondOneReplica"], direct["chunksPerSecond"]),
        throughputOneProcessVsDirect: ratio(metrics["chunksPerSecondOneProcess"], direct["chunksPerSecond"]),
        throughputClusterVsOneProcess: ratio(metrics["chunksPerSecondCluster"], metrics["chunksPerSecondOneProcess"]),
        throughputTwoReplicasVsOneProcess: ratio(
          metrics["chunksPerSecondTwoReplicas"],
          metrics["chunksPerSecondOneProcess"]
        ),
        throughputClusterVsTwoReplicas: ratio(metrics["chunksPerSecondCluster"], metrics["chunksPerSecondTwoReplicas"])
      }
    }
  }
}
