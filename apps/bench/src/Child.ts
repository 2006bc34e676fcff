/**
 * Starting the bench's processes: the simulator, the gateway and one worker per scenario run,
 * each a fresh Node running the bundle (see `Bundle`), talking to the runner over IPC.
 *
 * @since 0.1.0
 */
import { type ChildProcess, spawn, type StdioOptions } from "node:child_process"
import * as Bundle from "./Bundle.js"

/**
 * Raises the soft limit on open descriptors to the hard one, then becomes the command. A process
 * that holds thousands of sockets (a gateway proxying 9,000 streams holds two per stream) needs
 * the hard limit, and Node cannot raise its own soft limit; through `exec` the child keeps the
 * shell's pid, so it is signalled and sampled as itself. Where the limit cannot be raised the
 * child starts anyway, and a descriptor it is then refused surfaces as `EMFILE`.
 */
const raiseLimit = `ulimit -n "$(ulimit -Hn)" 2>/dev/null; exec "$0" "$@"`

/**
 * Starts `node <args>` (this process's Node) with its soft descriptor limit raised to the hard one.
 *
 * @since 0.1.0
 * @category processes
 */
export const spawnNode = (args: ReadonlyArray<string>, stdio: StdioOptions): ChildProcess =>
  spawn("/bin/sh", ["-c", raiseLimit, process.execPath, ...args], { stdio })

/**
 * @since 0.1.0
 * @category models
 */
export interface Options {
  readonly exposeGc?: boolean | undefined
  /** Where the child's stdout goes: the terminal, or nowhere (the gateway's JSON logs). */
  readonly quiet?: boolean | undefined
}

/**
 * Starts the bundle's `<entry>.js` with `args`, stdout and stderr to the terminal (or stdout ignored),
 * through `spawnNode`.
 *
 * @since 0.1.0
 * @category processes
 */
export const start = (entry: string, args: ReadonlyArray<string>, options: Options = {}): ChildProcess =>
  spawnNode(
    [...(options.exposeGc === true ? ["--expose-gc"] : []), `${Bundle.outDir}/${entry}.js`, ...args],
    ["ignore", options.quiet === true ? "ignore" : "inherit", "inherit", "ipc"]
  )

/**
 * The child's first IPC message (a server's `{ url }`), failing if it exits first.
 *
 * @since 0.1.0
 * @category processes
 */
export const firstMessage = <A>(child: ChildProcess, timeoutMillis = 60_000): Promise<A> =>
  new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no message from child within ${timeoutMillis} ms`)), timeoutMillis)
    child.once("message", (message) => {
      clearTimeout(timer)
      resolve(message as A)
    })
    child.once("exit", (code) => {
      clearTimeout(timer)
      reject(new Error(`child exited (${code}) before it announced itself`))
    })
  })

/**
 * Starts a server script and waits for its URL (`exposeGc` for a server whose memory is measured:
 * the gateway then answers a `{ _tag: "Collect" }` message after full collections).
 *
 * @since 0.1.0
 * @category processes
 */
export const server = async (
  entry: string,
  args: ReadonlyArray<string>,
  options: { readonly exposeGc?: boolean | undefined } = {}
): Promise<{ readonly url: string; readonly child: ChildProcess }> => {
  const child = start(entry, args, { quiet: true, exposeGc: options.exposeGc })
  const { url } = await firstMessage<{ url: string }>(child)
  return { url, child }
}

/**
 * Stops a child and waits until it is gone, so the next measured process starts on a quiet machine
 * (`SIGKILL` after 10 s: a server's graceful shutdown may wait for streams to drain).
 *
 * @since 0.1.0
 * @category processes
 */
export const stop = (child: ChildProcess): Promise<void> =>
  new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve()
    const timer = setTimeout(() => child.kill("SIGKILL"), 10_000)
    child.once("exit", () => {
      clearTimeout(timer)
      resolve()
    })
    child.kill()
  })
