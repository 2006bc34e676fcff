/**
 * Order statistics over samples: medians of runs, percentiles of latencies.
 *
 * @since 0.1.0
 */

/**
 * The `p`-th percentile (0-100) by nearest rank; `NaN` for no samples.
 *
 * @since 0.1.0
 * @category statistics
 */
export const percentile = (samples: ReadonlyArray<number>, p: number): number => {
  if (samples.length === 0) return Number.NaN
  const sorted = [...samples].sort((a, b) => a - b)
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))
  return sorted[rank]!
}

/**
 * The median, averaging the two middle values of an even count.
 *
 * @since 0.1.0
 * @category statistics
 */
export const median = (samples: ReadonlyArray<number>): number => {
  if (samples.length === 0) return Number.NaN
  const sorted = [...samples].sort((a, b) => a - b)
  const middle = Math.floor(sorted.length / 2)
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2
}

/**
 * Wall-clock milliseconds since the epoch with sub-millisecond resolution, comparable across
 * processes of one machine (the simulator's records use `Date.now()` in its own process).
 *
 * @since 0.1.0
 * @category time
 */
export const epochMillis = (): number => performance.timeOrigin + performance.now()

/**
 * Resolves after `millis` of real time: the bench measures real sockets and real timers.
 *
 * @since 0.1.0
 * @category time
 */
export const sleep = (millis: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, millis))

/**
 * Process CPU time (user + system) in microseconds, since the process started.
 *
 * @since 0.1.0
 * @category measurement
 */
export const cpuMicros = (): number => {
  const usage = process.cpuUsage()
  return usage.user + usage.system
}

/**
 * Forces full collections until the heap stops shrinking, so memory readings compare live data.
 * Needs `--expose-gc` (the runner passes it to memory scenarios); without it, does nothing.
 *
 * @since 0.1.0
 * @category measurement
 */
export const collect = async (): Promise<void> => {
  const gc = (globalThis as { gc?: () => void }).gc
  if (gc === undefined) return
  for (let i = 0; i < 3; i++) {
    gc()
    // Let FinalizationRegistry callbacks and weak-ref clearing run between passes.
    await sleep(20)
  }
}
