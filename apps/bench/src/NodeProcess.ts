/**
 * The processes the bench starts, as seen from the one that starts them (the runner, or a worker
 * starting servers of its own): started with the hard descriptor limit, announced over IPC,
 * collected on request, stopped. Plain Node: a worker imports it without the bundler.
 *
 * @since 0.1.0
 */
import { type ChildProcess, spawn, type StdioOptions } from "node:child_process"
import * as Fs from "node:fs"
import * as Net from "node:net"
import * as Path from "node:path"
import { fileURLToPath } from "node:url"

/**
 * The path of the program `name`, on `PATH` or where Debian installs system programs (`nginx` is
 * in `/usr/sbin`); `undefined` when this machine has none.
 *
 * @since 0.1.0
 * @category processes
 */
export const executable = (name: string): string | undefined =>
  [...(process.env["PATH"] ?? "").split(Path.delimiter), "/usr/sbin", "/usr/local/sbin"]
    .filter((dir) => dir.length > 0)
    .map((dir) => Path.join(dir, name))
    .find((file) => {
      try {
        Fs.accessSync(file, Fs.constants.X_OK)
        return true
      } catch {
        return false
      }
    })

/**
 * Starts `node <args>` on this process's Node. Each child runs with its soft limit on open
 * descriptors at the hard one: Node raises its own when it starts (a Node started with a soft limit
 * of 1,024 under a hard one of 20,000 runs with 20,000), which the large scenarios need (a gateway
 * proxying 9,000 streams holds two descriptors per stream). Where the hard limit is too low, a
 * refused descriptor surfaces as `EMFILE`.
 *
 * @since 0.1.0
 * @category processes
 */
export const spawnNode = (args: ReadonlyArray<string>, stdio: StdioOptions): ChildProcess =>
  spawn(process.execPath, args, { stdio })

/**
 * The path of the bundle's `<entry>.js` beside this code, for a process that runs from the bundle
 * (a worker starting a server of its own).
 *
 * @since 0.1.0
 * @category processes
 */
export const bundled = (entry: string): string => fileURLToPath(new URL(`./${entry}.js`, import.meta.url))

/**
 * A loopback port free a moment ago, for a server the bench configures by port (the soak's
 * gateway, nginx); fails if none can be bound.
 *
 * @since 0.1.0
 * @category processes
 */
export const freePort = (): Promise<number> =>
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

/**
 * Full collections in a server started with `--expose-gc` (see `CollectOnRequest`); its
 * `heapUsed` after them.
 *
 * @since 0.1.0
 * @category processes
 */
export const collectIn = (child: ChildProcess): Promise<number> =>
  new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.off("message", onMessage)
      reject(new Error("the server did not collect within 30 s"))
    }, 30_000)
    const onMessage = (message: { readonly _tag?: string; readonly heapUsedBytes?: number }) => {
      if (message._tag !== "Collected") return
      clearTimeout(timer)
      child.off("message", onMessage)
      resolve(message.heapUsedBytes ?? Number.NaN)
    }
    child.on("message", onMessage)
    child.send({ _tag: "Collect" })
  })
