/**
 * The processes under soak: the simulator (the bench's own, in a process of its own so its CPU
 * and sockets are not the gateway's) and the gateway as `npm start` runs it (`apps/gateway`'s
 * `main.ts` through tsx), configured by a file naming the simulator as its only upstream; and
 * the gateway's samples, read from outside it: RSS and CPU from `/proc`, open file descriptors
 * from `/proc/<pid>/fd`, streams in flight from its `/metrics`.
 *
 * @since 0.1.0
 */
import { type ChildProcess, spawn } from "node:child_process"
import * as Fs from "node:fs"
import * as Net from "node:net"
import * as Os from "node:os"
import * as Path from "node:path"
import { fileURLToPath } from "node:url"
import { Client } from "undici"
import * as Child from "../Child.js"
import * as Proc from "../Proc.js"
import { sleep } from "../Stats.js"

const root = fileURLToPath(new URL("../../../../", import.meta.url))
const simEntry = fileURLToPath(new URL("../bin/sim.ts", import.meta.url))
const gatewayEntry = fileURLToPath(new URL("../../../gateway/src/main.ts", import.meta.url))

/** A TypeScript entry run by Node through tsx, on the workspace's sources. */
const tsx = (entry: string, stdout: "ignore" | number, env: NodeJS.ProcessEnv = process.env): ChildProcess =>
  spawn(process.execPath, ["--conditions=@streamguard/source", "--import", "tsx", entry], {
    cwd: root,
    env,
    stdio: ["ignore", stdout, "inherit", "ipc"]
  })

const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const server = Net.createServer()
    server.once("error", reject)
    server.listen(0, "127.0.0.1", () => {
      const address = server.address()
      const port = typeof address === "object" && address !== null ? address.port : 0
      server.close(() => resolve(port))
    })
  })

/**
 * @since 0.1.0
 * @category models
 */
export interface Processes {
  readonly simulatorUrl: string
  readonly gatewayUrl: string
  readonly gateway: ChildProcess
  readonly stop: () => Promise<void>
}

/**
 * Starts the simulator, then the gateway in front of it with `env` added (its admission limit),
 * and waits until the gateway answers `/healthz`.
 *
 * @since 0.1.0
 * @category processes
 */
export const start = async (options: {
  readonly env: Readonly<Record<string, string>>
  readonly gatewayLog: string | undefined
}): Promise<Processes> => {
  const simulator = tsx(simEntry, "ignore")
  // Whatever ends the soak (an error, Ctrl-C), the gateway does not outlive it: it has no parent
  // to answer to, and would hold its port and streams.
  const children = [simulator]
  const killAll = () => {
    for (const child of children) child.kill("SIGKILL")
  }
  process.once("exit", killAll)
  const { url: simulatorUrl } = await Child.firstMessage<{ url: string }>(simulator)
  const dir = Fs.mkdtempSync(Path.join(Os.tmpdir(), "streamguard-soak-"))
  const configFile = Path.join(dir, "gateway.json")
  Fs.writeFileSync(
    configFile,
    JSON.stringify({
      upstreams: [{ name: "simulator", baseUrl: `${simulatorUrl}/v1`, dialect: "any", models: ["sim:*"] }]
    })
  )
  const port = await freePort()
  const log = options.gatewayLog === undefined ? "ignore" : Fs.openSync(options.gatewayLog, "w")
  const gateway = tsx(gatewayEntry, log, {
    ...process.env,
    ...options.env,
    STREAMGUARD_CONFIG: configFile,
    PORT: String(port),
    HOST: "127.0.0.1"
  })
  children.push(gateway)
  if (typeof log === "number") Fs.closeSync(log)
  const stop = async () => {
    await Promise.all([Child.stop(gateway), Child.stop(simulator)])
    process.removeListener("exit", killAll)
    Fs.rmSync(dir, { recursive: true, force: true })
  }
  const gatewayUrl = `http://127.0.0.1:${port}`
  const deadline = Date.now() + 60_000
  for (;;) {
    if (gateway.exitCode !== null) {
      await stop()
      throw new Error(`the gateway exited (${gateway.exitCode}) before it answered`)
    }
    const healthy = await fetch(`${gatewayUrl}/healthz`).then((r) => r.ok, () => false)
    if (healthy) break
    if (Date.now() > deadline) {
      await stop()
      throw new Error("the gateway did not answer /healthz within 60 s")
    }
    await sleep(200)
  }
  return { simulatorUrl, gatewayUrl, gateway, stop }
}

/**
 * @since 0.1.0
 * @category models
 */
export interface GatewaySample {
  readonly atMillis: number
  readonly rssBytes: number
  readonly cpuMicros: number
  readonly fds: number
  readonly inFlight: number
}

/**
 * The `streamguard_gateway_streams_in_flight` gauge in a Prometheus text (`NaN` when absent).
 *
 * @since 0.1.0
 * @category metrics
 */
export const inFlightOf = (metrics: string): number => {
  const match = /^streamguard_gateway_streams_in_flight(?:\{[^}]*\})?\s+(\S+)$/m.exec(metrics)
  return match === null ? Number.NaN : Number(match[1])
}

/**
 * Samples a gateway process. One kept-alive connection serves every `/metrics` read, so the
 * sampler holds the same single descriptor in the gateway from the baseline to the end.
 *
 * @since 0.1.0
 * @category sampling
 */
export class GatewaySampler {
  private readonly client: Client

  constructor(private readonly pid: number, url: string) {
    this.client = new Client(url, { pipelining: 1, keepAliveTimeout: 600_000, keepAliveMaxTimeout: 600_000 })
  }

  async sample(): Promise<GatewaySample> {
    // /metrics first: the server may have closed the idle connection since the last sample, and
    // the descriptors are counted with it open again.
    const inFlight = inFlightOf(await (await this.client.request({ method: "GET", path: "/metrics" })).body.text())
    const [usage, fds] = await Promise.all([
      Proc.usage(this.pid),
      Fs.promises.readdir(`/proc/${this.pid}/fd`).then((entries) => entries.length)
    ])
    return { atMillis: usage.atMillis, rssBytes: usage.rssBytes, cpuMicros: usage.cpuMicros, fds, inFlight }
  }

  close(): Promise<void> {
    return this.client.close()
  }
}
