/**
 * Starting the bench's processes: the simulator, the gateway and one worker per scenario run,
 * each a fresh Node running the bundle (see `Bundle`), talking to the runner over IPC. Stopping
 * and collecting are `NodeProcess`'s.
 *
 * @since 0.1.0
 */
import type { ChildProcess } from "node:child_process"
import * as Bundle from "./Bundle.js"
import { firstMessage, spawnNode } from "./NodeProcess.js"

/**
 * @since 0.1.0
 * @category models
 */
export interface Options {
  readonly exposeGc?: boolean | undefined
  /**
   * Where the child's stdout goes: the terminal, nowhere (the gateway's JSON logs), or a pipe the
   * runner reads (`watch`).
   */
  readonly stdout?: "inherit" | "ignore" | "pipe" | undefined
}

/**
 * Starts the bundle's `<entry>.js` with `args`, stderr to the terminal, stdout as `options.stdout`
 * says, through `spawnNode`.
 *
 * @since 0.1.0
 * @category processes
 */
export const start = (entry: string, args: ReadonlyArray<string>, options: Options = {}): ChildProcess =>
  spawnNode(
    [...(options.exposeGc === true ? ["--expose-gc"] : []), `${Bundle.outDir}/${entry}.js`, ...args],
    ["ignore", options.stdout ?? "inherit", "inherit", "ipc"]
  )

/**
 * A server the runner started.
 *
 * @since 0.1.0
 * @category models
 */
export interface Server {
  readonly url: string
  readonly child: ChildProcess
  /** The lines of its stdout that matched `watch` so far (the first 10), and how many did. */
  readonly watched: () => { readonly count: number; readonly first: ReadonlyArray<string> }
}

/**
 * Starts a server script and waits for its URL (`exposeGc` for a server whose memory is measured:
 * the gateway then answers a `{ _tag: "Collect" }` message after full collections). Its stdout is
 * dropped, or with `watch` read line by line for the lines that match (an error the server only
 * logs, such as `EMFILE`).
 *
 * @since 0.1.0
 * @category processes
 */
export const server = async (
  entry: string,
  args: ReadonlyArray<string>,
  options: { readonly exposeGc?: boolean | undefined; readonly watch?: RegExp | undefined } = {}
): Promise<Server> => {
  const watch = options.watch
  const child = start(entry, args, { stdout: watch === undefined ? "ignore" : "pipe", exposeGc: options.exposeGc })
  let count = 0
  const first: Array<string> = []
  if (watch !== undefined && child.stdout !== null) {
    let rest = ""
    child.stdout.setEncoding("utf8").on("data", (text: string) => {
      const lines = (rest + text).split("\n")
      rest = lines.pop() ?? ""
      for (const line of lines) {
        if (!watch.test(line)) continue
        count++
        if (first.length < 10) first.push(line)
      }
    })
  }
  const { url } = await firstMessage<{ url: string }>(child)
  return { url, child, watched: () => ({ count, first }) }
}
