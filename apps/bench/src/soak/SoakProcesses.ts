/**
 * The processes under soak: the simulator (the kernel's, in a process of its own so its CPU and
 * sockets are not the gateway's) and the gateway, configured by a file naming the simulator as its
 * only upstream. The gateway runs as the container image runs it: built to JavaScript with
 * `tsc -b deploy/gateway/tsconfig.json`, then `node apps/gateway/dist/main.js` (or any command
 * given). Each child starts with its open-files soft limit raised to the hard one (Node raises its
 * own at start-up; another program may not), and the soak reads back what it got.
 *
 * @since 0.1.0
 */
import { type ChildProcess, spawn } from "node:child_process"
import * as Fs from "node:fs"
import * as Os from "node:os"
import * as Path from "node:path"
import { fileURLToPath } from "node:url"
import { firstMessage, freePort, stop as stopChild } from "../NodeProcess.js"
import { sleep } from "../Stats.js"

const root = fileURLToPath(new URL("../../../../", import.meta.url))
const simEntry = fileURLToPath(new URL("sim.ts", import.meta.url))

/** The gateway as the image builds it: the config deploy/Dockerfile compiles, and its entry. */
const gatewayProject = "deploy/gateway/tsconfig.json"
const gatewayMain = "apps/gateway/dist/main.js"

/**
 * The shell prefix every child starts with: the soft open-files limit raised to the hard one, then
 * `exec`, so the child is the process the soak started (its pid is the one sampled).
 */
const raiseLimit = "ulimit -S -n \"$(ulimit -H -n)\"; exec"

const quote = (arg: string): string => /^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replaceAll("'", "'\\''")}'`

/** Starts `command` (a shell command line) through `sh`, with the raised limit. */
const spawnRaised = (
  command: string,
  options: { readonly env: NodeJS.ProcessEnv; readonly stdout: "ignore" | "inherit" | number }
): ChildProcess =>
  spawn("sh", ["-c", `${raiseLimit} ${command}`], {
    cwd: root,
    env: options.env,
    stdio: ["ignore", options.stdout, "inherit", "ipc"]
  })

/** An argv as a shell command line. */
const commandOf = (argv: ReadonlyArray<string>): string => argv.map(quote).join(" ")

/**
 * Compiles the gateway and the libraries it uses as deploy/Dockerfile does; resolves with the
 * milliseconds it took, fails with the compiler's output.
 */
const build = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const started = performance.now()
    const tsc = spawn(process.execPath, [Path.join(root, "node_modules/typescript/bin/tsc"), "-b", gatewayProject], {
      cwd: root,
      stdio: ["ignore", "pipe", "pipe"]
    })
    let output = ""
    tsc.stdout.on("data", (bytes: Buffer) => (output += bytes.toString()))
    tsc.stderr.on("data", (bytes: Buffer) => (output += bytes.toString()))
    tsc.once("error", reject)
    tsc.once("exit", (code) =>
      code === 0
        ? resolve(performance.now() - started)
        : reject(new Error(`tsc -b ${gatewayProject} failed (${code}):\n${output}`)))
  })

/**
 * @since 0.1.0
 * @category models
 */
export interface Processes {
  readonly simulatorUrl: string
  readonly gatewayUrl: string
  readonly gateway: ChildProcess
  readonly simulator: ChildProcess
  /** How the gateway was run, for the report. */
  readonly gatewayRun: string
  readonly stop: () => Promise<void>
}

/** The gateway's config file: the simulator as its only upstream. */
const configFile = (simulatorUrl: string): { readonly dir: string; readonly file: string } => {
  const dir = Fs.mkdtempSync(Path.join(Os.tmpdir(), "streamguard-soak-"))
  const file = Path.join(dir, "gateway.json")
  Fs.writeFileSync(
    file,
    JSON.stringify({
      upstreams: [{ name: "simulator", baseUrl: `${simulatorUrl}/v1`, dialect: "any", models: ["sim:*"] }]
    })
  )
  return { dir, file }
}

/** Waits until the gateway answers `/healthz`; fails if it exits first or takes over a minute. */
const healthy = async (gateway: ChildProcess, url: string): Promise<void> => {
  const deadline = Date.now() + 60_000
  for (;;) {
    if (gateway.exitCode !== null || gateway.signalCode !== null) {
      throw new Error(`the gateway exited (${gateway.exitCode ?? gateway.signalCode}) before it answered`)
    }
    if (await fetch(`${url}/healthz`).then((r) => r.ok, () => false)) return
    if (Date.now() > deadline) throw new Error("the gateway did not answer /healthz within 60 s")
    await sleep(200)
  }
}

/**
 * Starts the simulator, then the gateway in front of it with `env` added (its admission limit),
 * and waits until the gateway answers `/healthz`. Without `gatewayCommand` the gateway is built
 * first (`build`).
 *
 * @since 0.1.0
 * @category processes
 */
export const start = async (options: {
  readonly env: Readonly<Record<string, string>>
  readonly gatewayLog: string | undefined
  readonly gatewayCommand: string | undefined
}): Promise<Processes> => {
  let gatewayRun = `command: ${options.gatewayCommand}`
  let command = options.gatewayCommand
  if (command === undefined) {
    const millis = await build()
    command = commandOf([process.execPath, gatewayMain])
    gatewayRun = `built JavaScript (tsc -b ${gatewayProject}, ${(millis / 1000).toFixed(1)} s), node ${gatewayMain}`
  }
  const simulator = spawnRaised(
    commandOf([process.execPath, "--conditions=@streamguard/source", "--import", "tsx", simEntry]),
    {
      env: process.env,
      stdout: "ignore"
    }
  )
  // Whatever ends the soak (an error, Ctrl-C), no child outlives it: it would hold its port and streams.
  const children = [simulator]
  const killAll = () => {
    for (const child of children) child.kill("SIGKILL")
  }
  process.once("exit", killAll)
  const { url: simulatorUrl } = await firstMessage<{ url: string }>(simulator)
  const config = configFile(simulatorUrl)
  const port = await freePort()
  const log = options.gatewayLog === undefined ? "ignore" : Fs.openSync(options.gatewayLog, "w")
  const gateway = spawnRaised(command, {
    // As the image runs it (NODE_ENV=production), unless the caller's environment says otherwise.
    env: {
      NODE_ENV: "production",
      ...process.env,
      ...options.env,
      STREAMGUARD_CONFIG: config.file,
      PORT: String(port),
      HOST: "127.0.0.1"
    },
    stdout: log
  })
  children.push(gateway)
  if (typeof log === "number") Fs.closeSync(log)
  const stop = async () => {
    await Promise.all([stopChild(gateway), stopChild(simulator)])
    process.removeListener("exit", killAll)
    Fs.rmSync(config.dir, { recursive: true, force: true })
  }
  const gatewayUrl = `http://127.0.0.1:${port}`
  try {
    await healthy(gateway, gatewayUrl)
  } catch (error) {
    await stop()
    throw error
  }
  return { simulatorUrl, gatewayUrl, gateway, simulator, gatewayRun, stop }
}
