/**
 * `gatewayScale`: the same load through nginx in front of one gateway replica, then in front of
 * two (each its own process, all in front of the one simulator), with nginx configured as
 * deploy/nginx/streamguard.conf: throughput at concurrency and the latency the balancer and the
 * replicas add to paced streams. Needs nginx (Debian's package); without it the bench leaves the
 * scenario out. The load, the simulator, nginx and the replicas share the machine's cores: on a
 * 2-core machine two replicas cannot get a core each, and the ratio says what the second one
 * brings there, not on a machine of its own.
 *
 * @since 0.1.0
 */
import { type ChildProcess, spawn } from "node:child_process"
import * as Fs from "node:fs"
import * as Net from "node:net"
import * as Os from "node:os"
import * as Path from "node:path"
import { fileURLToPath } from "node:url"
import { bundled, executable, spawnNode, stop } from "../NodeProcess.js"
import type { Metrics, Scenario } from "../Scenario.js"
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

const freePort = (): Promise<number> =>
  new Promise((resolve) => {
    const server = Net.createServer()
    server.listen(0, "127.0.0.1", () => {
      const address = server.address()
      const port = typeof address === "object" && address !== null ? address.port : 0
      server.close(() => resolve(port))
    })
  })

/**
 * A gateway replica: the bench's gateway entry, beside this code in the bundle the worker runs
 * from; its URL once it announced it.
 */
const startReplica = async (flags: ReadonlyArray<string>) => {
  const child = spawnNode([bundled("gateway"), ...flags], ["ignore", "ignore", "inherit", "ipc"])
  const url = await new Promise<string>((resolve, reject) => {
    child.once("message", (message) => resolve((message as { url: string }).url))
    child.once("exit", (code) => reject(new Error(`a gateway replica exited (${code}) at start`)))
  })
  return { url, child }
}

/** nginx in the foreground in front of `replicas`; its URL once its pid file (written after listen) exists. */
const startNginx = async (replicas: ReadonlyArray<string>) => {
  const dir = Fs.mkdtempSync(Path.join(Os.tmpdir(), "bench-nginx-"))
  const port = await freePort()
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
  await new Promise<void>((resolve, reject) => {
    const watcher = Fs.watch(dir, () => {
      if (Fs.existsSync(pid)) done()
    })
    const done = () => {
      watcher.close()
      resolve()
    }
    child.once("exit", (code) => {
      watcher.close()
      reject(new Error(`nginx exited (${code}) at start`))
    })
    if (Fs.existsSync(pid)) done()
  })
  return {
    url: `http://127.0.0.1:${port}`,
    stop: async () => {
      await stop(child)
      Fs.rmSync(dir, { recursive: true, force: true })
    }
  }
}

/**
 * @since 0.1.0
 * @category scenarios
 */
export const gatewayScale: Scenario = {
  name: "gatewayScale",
  description: "throughput and added latency through nginx in front of 1 and of 2 gateway replicas",
  variants: ["gateway"],
  processPerRun: false,
  exposeGc: false,
  needsGateway: false,
  runs: (settings) => settings.gatewayOverhead.runs,
  measure: async (job) => {
    // The sizes of gatewayOverhead's concurrent part, so the two read alike.
    const { chunksPerConcurrentStream, concurrency, pacedChunks, pacedGapMillis } = job.settings.gatewayOverhead
    const steady = (seed: number) => `sim:steady?chunks=${chunksPerConcurrentStream}&gap=0ms&jitter=0ms&seed=${seed}`
    const paced = (seed: number) => `sim:steady?chunks=${pacedChunks}&gap=${pacedGapMillis}ms&jitter=0ms&seed=${seed}`
    const range = (first: number, count: number) => Array.from({ length: count }, (_, i) => first + i)
    const total = concurrency * chunksPerConcurrentStream
    // Admission sized to the load: the scenario measures the relay, not the limit.
    const flags = ["--upstream", job.simUrl, "--max-concurrent-streams", String(concurrency * 4)]
    const replicas = [await startReplica(flags), await startReplica(flags)]
    const one = await startNginx([replicas[0]!.url])
    const two = await startNginx(replicas.map((replica) => replica.url))
    try {
      for (const url of [job.simUrl, one.url, two.url]) await throughput(url, range(1, concurrency).map(steady), total)
      const runs: Array<Metrics> = []
      for (let run = 0; run < job.runs; run++) {
        const seed = 1_000_000 * (run + 1)
        const many = range(seed, concurrency).map(steady)
        const direct = await throughput(job.simUrl, many, total)
        const throughOne = await throughput(one.url, many, total)
        const throughTwo = await throughput(two.url, many, total)
        await Simulator.clear(job.simUrl)
        const latencies = (url: string, first: number) =>
          lastChunkLatencies(url, job.simUrl, range(first, concurrency).map(paced))
        const directLatency = await latencies(job.simUrl, seed + 100_000)
        const oneLatency = await latencies(one.url, seed + 200_000)
        const twoLatency = await latencies(two.url, seed + 300_000)
        await Simulator.clear(job.simUrl)
        runs.push({
          chunksPerSecondOneReplica: throughOne,
          chunksPerSecondTwoReplicas: throughTwo,
          addedLatencyMsP50OneReplica: addedAt(50, directLatency, oneLatency),
          addedLatencyMsP99OneReplica: addedAt(99, directLatency, oneLatency),
          addedLatencyMsP50TwoReplicas: addedAt(50, directLatency, twoLatency),
          addedLatencyMsP99TwoReplicas: addedAt(99, directLatency, twoLatency),
          "direct.chunksPerSecond": direct,
          "direct.lastChunkLatencyMsP50": percentile(directLatency, 50),
          "direct.lastChunkLatencyMsP99": percentile(directLatency, 99)
        })
      }
      return runs
    } finally {
      await Promise.all([one.stop(), two.stop(), ...replicas.map((replica) => stop(replica.child))])
    }
  },
  section: (medians) => {
    const { direct, metrics } = splitDirect(medians["gateway"] ?? {})
    return {
      metrics,
      baselines: { direct },
      ratios: {
        throughputTwoVsOneReplica: ratio(metrics["chunksPerSecondTwoReplicas"], metrics["chunksPerSecondOneReplica"]),
        throughputOneReplicaVsDirect: ratio(metrics["chunksPerSecondOneReplica"], direct["chunksPerSecond"])
      }
    }
  }
}
