/**
 * Another process's resource usage, read from Linux's `/proc` (by the runner, or by a worker about
 * the processes it started): a server's figures are taken from outside it, so sampling adds
 * nothing to what is measured.
 *
 * @since 0.1.0
 */
import * as Fs from "node:fs/promises"
import type { Usage } from "./Ipc.js"
import { epochMillis } from "./Stats.js"

/** `/proc/<pid>/stat` counts in clock ticks: `sysconf(_SC_CLK_TCK)`, 100 on Linux. */
const ticksPerSecond = 100

/** Resident set size from `/proc/<pid>/status` (`VmRSS`, in kB). */
const rssBytes = async (pid: number): Promise<number> => {
  const status = await Fs.readFile(`/proc/${pid}/status`, "utf8")
  const match = /^VmRSS:\s+(\d+)\s+kB$/m.exec(status)
  if (match === null) throw new Error(`no VmRSS in /proc/${pid}/status`)
  return Number(match[1]) * 1024
}

/**
 * CPU time of every thread of the process, in microseconds: the sum of each thread's
 * `/proc/<pid>/task/<tid>/schedstat` (nanoseconds on the CPU, user and system alike), since
 * `utime + stime` of `/proc/<pid>/stat` counts in 10 ms ticks, too coarse for a second of an idle
 * process. Falls back to the ticks where the kernel keeps no schedstat. Both include V8's and
 * libuv's threads, as `process.cpuUsage()` does; schedstat forgets threads that exited (Node's
 * own threads live as long as the process).
 */
const cpuMicros = async (pid: number): Promise<number> => {
  try {
    const tasks = await Fs.readdir(`/proc/${pid}/task`)
    let nanos = 0
    for (const tid of tasks) {
      const text = await Fs.readFile(`/proc/${pid}/task/${tid}/schedstat`, "utf8").catch(() => "")
      const onCpu = Number(text.split(" ")[0])
      if (Number.isFinite(onCpu)) nanos += onCpu
    }
    if (nanos > 0) return nanos / 1000
  } catch {
    // No schedstat: the coarse ticks below.
  }
  const stat = await Fs.readFile(`/proc/${pid}/stat`, "utf8")
  // Fields after the command name (which may hold spaces and parentheses): utime and stime are
  // the 14th and 15th fields of the line, the 12th and 13th after `) `.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ")
  return ((Number(fields[11]) + Number(fields[12])) / ticksPerSecond) * 1e6
}

/**
 * How many descriptors the process holds open (`/proc/<pid>/fd`), and its soft limit on them
 * (`Max open files` in `/proc/<pid>/limits`): where the two meet, its next socket fails with
 * `EMFILE`.
 *
 * @since 0.1.0
 * @category measurement
 */
export const descriptors = async (pid: number): Promise<{ readonly open: number; readonly limit: number }> => {
  const [open, limits] = await Promise.all([
    Fs.readdir(`/proc/${pid}/fd`).then((entries) => entries.length),
    Fs.readFile(`/proc/${pid}/limits`, "utf8")
  ])
  const match = /^Max open files\s+(\d+|unlimited)/m.exec(limits)
  return { open, limit: match === null || match[1] === "unlimited" ? Number.POSITIVE_INFINITY : Number(match[1]) }
}

/**
 * `EMFILE`, said as itself, when `name` holds as many descriptors as its limit allows (less a few
 * its runtime may have closed since it was refused one); `undefined` otherwise.
 *
 * @since 0.1.0
 * @category measurement
 */
export const exhaustion = (
  name: string,
  held: { readonly open: number; readonly limit: number }
): string | undefined =>
  held.open < held.limit - 16 ? undefined : `EMFILE: ${name} holds ${held.open.toLocaleString("en-US")} ` +
    `descriptors, its limit is ${held.limit.toLocaleString("en-US")}`

/**
 * The process's RSS, CPU time and open descriptors now.
 *
 * @since 0.1.0
 * @category measurement
 */
export const usage = async (pid: number): Promise<Usage> => {
  const [rss, cpu, held] = await Promise.all([rssBytes(pid), cpuMicros(pid), descriptors(pid)])
  return { rssBytes: rss, cpuMicros: cpu, descriptors: held.open, descriptorLimit: held.limit, atMillis: epochMillis() }
}
