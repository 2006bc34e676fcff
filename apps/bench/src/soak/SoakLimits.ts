/**
 * File descriptors: what each of the soak's processes may open (`nofile`, from
 * `/proc/<pid>/limits`), what it holds (`/proc/<pid>/fd`), and what a run needs. A proxied stream
 * holds two descriptors in the gateway (the client's socket and the upstream's, HTTP/1.1) and one
 * in the client and in the simulator each, so 9,000 streams need about 18,000 in the gateway.
 *
 * A process that runs out answers with EMFILE, and a server out of descriptors accepts and closes
 * the connections it cannot hold: its clients see resets, not the cause. So the soak checks the
 * limits before it opens anything, and says which process is short and by how much.
 *
 * @since 0.1.0
 */
import * as Fs from "node:fs/promises"

/**
 * A process's open-files limit: `soft` is what it may open now, `hard` what it may raise `soft`
 * to. `Infinity` is "unlimited".
 *
 * @since 0.1.0
 * @category models
 */
export interface Nofile {
  readonly soft: number
  readonly hard: number
}

const limitValue = (text: string): number => text === "unlimited" ? Infinity : Number(text)

/**
 * The `Max open files` line of a `/proc/<pid>/limits` text (`undefined` when absent).
 *
 * @since 0.1.0
 * @category reading
 */
export const nofileOf = (limits: string): Nofile | undefined => {
  const match = /^Max open files\s+(\S+)\s+(\S+)/m.exec(limits)
  return match === null ? undefined : { soft: limitValue(match[1]!), hard: limitValue(match[2]!) }
}

/**
 * A process's open-files limit, read from `/proc/<pid>/limits` (`"self"` for this process).
 *
 * @since 0.1.0
 * @category reading
 */
export const nofile = async (pid: number | "self"): Promise<Nofile> => {
  const found = nofileOf(await Fs.readFile(`/proc/${pid}/limits`, "utf8"))
  if (found === undefined) throw new Error(`no "Max open files" in /proc/${pid}/limits`)
  return found
}

/**
 * The descriptors a process holds now: the entries of `/proc/<pid>/fd`.
 *
 * @since 0.1.0
 * @category reading
 */
export const fds = async (pid: number | "self"): Promise<number> => (await Fs.readdir(`/proc/${pid}/fd`)).length

/**
 * @since 0.1.0
 * @category models
 */
export interface Needs {
  readonly gateway: number
  readonly simulator: number
  readonly client: number
}

// A process's own descriptors (its listening socket, pipes, its loader's files, the sampler's
// connection), with room to spare.
const own = 64

/**
 * The descriptors each process needs for `streams` long streams plus the short ones in flight
 * (`steadyPerSecond`, each living at most `steadyLifeMillis`): two per stream in the gateway,
 * one in the client and one in the simulator, plus each process's own.
 *
 * @since 0.1.0
 * @category sizing
 */
export const needs = (streams: number, steadyPerSecond: number, steadyLifeMillis: number): Needs => {
  const inFlight = streams + Math.ceil(steadyPerSecond * (steadyLifeMillis / 1000 + 1))
  return { gateway: 2 * inFlight + own, simulator: inFlight + own, client: inFlight + own }
}

/**
 * What is wrong with the limits for the needs: one line per process whose soft limit is below its
 * need, naming both, or none.
 *
 * @since 0.1.0
 * @category sizing
 */
export const shortfalls = (limits: { readonly [P in keyof Needs]: Nofile }, need: Needs): Array<string> =>
  (Object.keys(need) as Array<keyof Needs>).flatMap((process) => {
    const { hard, soft } = limits[process]
    if (soft >= need[process]) return []
    const why = hard < need[process]
      ? `its hard limit is ${hard} (raise it: ulimit -Hn as root, docker run --ulimit nofile=N:N, a systemd unit's LimitNOFILE)`
      : `its soft limit is ${soft} (its hard limit ${hard} would do: ulimit -n ${hard})`
    return [`the ${process} needs about ${need[process]} descriptors, but ${why}`]
  })
