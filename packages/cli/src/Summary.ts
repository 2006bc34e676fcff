/**
 * What a set of runs says about a provider: how long it takes to answer and to start the content,
 * how long it goes silent between events and between content, how often it sends keepalives,
 * how long answers take, and how the runs ended.
 *
 * @since 0.1.0
 */
import type * as Timeline from "./Timeline.js"

/**
 * A set of durations in milliseconds, by nearest rank; all undefined when there are none.
 *
 * @since 0.1.0
 * @category models
 */
export interface Distribution {
  readonly count: number
  readonly p50: number | undefined
  readonly p99: number | undefined
  readonly max: number | undefined
}

/**
 * A run that ended in a timeout: the upstream went silent.
 *
 * @since 0.1.0
 * @category models
 */
export interface Stall {
  readonly run: number
  readonly outcome: string
  /** Content chunks before the silence. */
  readonly chunks: number
  /** Silence from the last event (or the headers, or the start) to the end. */
  readonly silentMillis: number
}

/**
 * @since 0.1.0
 * @category models
 */
export interface Summary {
  readonly runs: number
  /** Runs by outcome (`done`, `chunk_timeout`, ...). */
  readonly outcomes: Readonly<Record<string, number>>
  /** Time to the response's headers (connect included). */
  readonly headers: Distribution
  /** Time to the first content. */
  readonly firstContent: Distribution
  /** Gaps between any two events after the first content: what `chunk` bounds. */
  readonly eventGaps: Distribution
  /** Gaps between content after the first: what `progress` bounds. */
  readonly contentGaps: Distribution
  /** Intervals between keepalives. */
  readonly keepaliveIntervals: Distribution
  readonly keepalives: number
  /** Whole streams, of the runs that ended `done`. */
  readonly duration: Distribution
  readonly stalls: ReadonlyArray<Stall>
}

/**
 * The nearest-rank percentile `p` (0 to 100) of `values`.
 *
 * @since 0.1.0
 * @category statistics
 */
export const percentile = (values: ReadonlyArray<number>, p: number): number | undefined => {
  if (values.length === 0) return undefined
  const sorted = [...values].sort((a, b) => a - b)
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length))
  return sorted[rank - 1]
}

/**
 * @since 0.1.0
 * @category constructors
 */
export const distribution = (values: ReadonlyArray<number>): Distribution => ({
  count: values.length,
  p50: percentile(values, 50),
  p99: percentile(values, 99),
  max: values.length === 0 ? undefined : Math.max(...values)
})

const differences = (times: ReadonlyArray<number>): Array<number> => times.slice(1).map((t, i) => t - times[i]!)

/**
 * A run's gaps after its first content: between any two reads, and between reads with content.
 *
 * @since 0.1.0
 * @category statistics
 */
export const gapsOf = (run: Timeline.Run): { readonly events: Array<number>; readonly content: Array<number> } => {
  const first = run.reads.findIndex((read) => read.chunks > 0)
  if (first < 0) return { events: [], content: [] }
  const after = run.reads.slice(first)
  return {
    events: differences(after.map((read) => read.at)),
    content: differences(after.filter((read) => read.chunks > 0).map((read) => read.at))
  }
}

const timeouts = new Set(["first_chunk_timeout", "chunk_timeout", "progress_timeout", "total_timeout"])

/**
 * Whether a run ended because the upstream went silent past a limit.
 *
 * @since 0.1.0
 * @category statistics
 */
export const isStall = (run: Timeline.Run): boolean => timeouts.has(run.outcome)

const defined = (values: ReadonlyArray<number | undefined>): Array<number> =>
  values.filter((value): value is number => value !== undefined)

/**
 * Summarizes runs. Stalled runs count in the outcomes and the stalls, and their gaps before the
 * silence count too; durations are those of the runs that finished (`done`).
 *
 * @since 0.1.0
 * @category constructors
 */
export const summarize = (runs: ReadonlyArray<Timeline.Run>): Summary => {
  const outcomes: Record<string, number> = {}
  for (const run of runs) outcomes[run.outcome] = (outcomes[run.outcome] ?? 0) + 1
  const gaps = runs.map(gapsOf)
  const keepaliveTimes = runs.map((run) => run.reads.filter((read) => read.keepalives > 0).map((read) => read.at))
  return {
    runs: runs.length,
    outcomes,
    headers: distribution(defined(runs.map((run) => run.headersMillis))),
    firstContent: distribution(defined(runs.map((run) => run.firstContentMillis))),
    eventGaps: distribution(gaps.flatMap((g) => g.events)),
    contentGaps: distribution(gaps.flatMap((g) => g.content)),
    keepaliveIntervals: distribution(keepaliveTimes.flatMap(differences)),
    keepalives: runs.reduce((sum, run) => sum + run.keepalives, 0),
    duration: distribution(runs.filter((run) => run.outcome === "done").map((run) => run.durationMillis)),
    stalls: runs.filter(isStall).map((run) => ({
      run: run.index,
      outcome: run.outcome,
      chunks: run.chunks,
      silentMillis: run.durationMillis - (run.reads.at(-1)?.at ?? run.headersMillis ?? 0)
    }))
  }
}
