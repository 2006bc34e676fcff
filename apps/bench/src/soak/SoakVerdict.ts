/**
 * The soak's verdict: the run passes when every check it could judge holds.
 *
 * - `errors`: no stream ended in error, of any class (`SoakErrors`), uncaught errors included.
 * - `resets`: no stream saw `ECONNRESET`.
 * - `chunks`: every stream that ended with its done read each chunk once: none lost, none twice.
 * - `ramp`: every long stream was open at once at least once.
 * - `rss`: the gateway's RSS is flat after warm-up (`rssFlat`).
 * - `descriptors`: the gateway's descriptors are back to their baseline after the streams closed.
 * - `inFlight`: the gateway has no stream in flight at the end.
 *
 * @since 0.1.0
 */
import { median } from "../Stats.js"
import type { Counts } from "./SoakTally.js"

/**
 * One check: `ok` is `undefined` when the run could not judge it (too short for the RSS).
 *
 * @since 0.1.0
 * @category models
 */
export interface Check {
  readonly name: string
  readonly ok: boolean | undefined
  readonly detail: string
}

/**
 * @since 0.1.0
 * @category models
 */
export interface Verdict {
  readonly pass: boolean
  readonly checks: ReadonlyArray<Check>
}

/**
 * Samples after warm-up needed to judge RSS (a minute at the default 10 s sampling).
 *
 * @since 0.1.0
 * @category rules
 */
export const rssMinSamples = 6

/**
 * Growth allowed from the first third of the samples after warm-up to the last, as a fraction.
 *
 * @since 0.1.0
 * @category rules
 */
export const rssMaxGrowth = 0.1

const mib = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(1)} MiB`

/**
 * RSS is flat after warm-up when the median of the last third of the gateway's RSS samples taken
 * after `warmedAtSeconds` is at most 10% above the median of the first third. Medians, because
 * single samples move with the garbage collector and with streams reopening together; a leak is a
 * climb that lifts the whole last third. Not judged with fewer than 6 such samples, or when the
 * ramp never ended (`warmedAtSeconds` undefined).
 *
 * @since 0.1.0
 * @category rules
 */
export const rssFlat = (
  samples: ReadonlyArray<{ readonly elapsedSeconds: number; readonly rssBytes: number }>,
  warmedAtSeconds: number | undefined
): Check => {
  const name = "rss"
  if (warmedAtSeconds === undefined) return { name, ok: undefined, detail: "not judged: the ramp never ended" }
  const after = samples.filter((sample) => sample.elapsedSeconds >= warmedAtSeconds).map((sample) => sample.rssBytes)
  if (after.length < rssMinSamples) {
    return {
      name,
      ok: undefined,
      detail: `not judged: ${after.length} samples after warm-up (at ${
        warmedAtSeconds.toFixed(0)
      } s), ${rssMinSamples} needed`
    }
  }
  const third = Math.floor(after.length / 3)
  const first = median(after.slice(0, third))
  const last = median(after.slice(after.length - third))
  const growth = last / first - 1
  return {
    name,
    ok: growth <= rssMaxGrowth,
    detail: `median ${mib(first)} over the first third of ${after.length} samples after warm-up (from ${
      warmedAtSeconds.toFixed(0)
    } s), ${mib(last)} over the last third: ${growth >= 0 ? "+" : ""}${(growth * 100).toFixed(1)}% (at most +${
      rssMaxGrowth * 100
    }%)`
  }
}

/**
 * What the verdict reads at the end of a run.
 *
 * @since 0.1.0
 * @category models
 */
export interface Facts {
  readonly totals: Counts
  readonly streams: number
  readonly rampSeconds: number | undefined
  readonly rss: Check
  readonly fdsBaseline: number
  readonly fdsEnd: number
  readonly inFlightEnd: number
}

const byClass = (totals: Counts): string =>
  Object.entries(totals.errorsByClass).map(([name, n]) => `${name} ${n}`).join(", ")

/**
 * The checks of a run and whether it passes.
 *
 * @since 0.1.0
 * @category rules
 */
export const judge = (facts: Facts): Verdict => {
  const { totals } = facts
  const checks: Array<Check> = [
    {
      name: "errors",
      ok: totals.errors === 0,
      detail: `${totals.errors}${totals.errors > 0 ? ` (${byClass(totals)})` : ""}`
    },
    { name: "resets", ok: totals.resets === 0, detail: String(totals.resets) },
    {
      name: "chunks",
      ok: totals.lostChunks === 0 && totals.duplicatedChunks === 0,
      detail: `${totals.lostChunks} lost, ${totals.duplicatedChunks} duplicated`
    },
    {
      name: "ramp",
      ok: facts.rampSeconds !== undefined,
      detail: facts.rampSeconds === undefined
        ? `the ${facts.streams} long streams were never all open at once`
        : `${facts.streams} long streams open in ${facts.rampSeconds.toFixed(1)} s`
    },
    facts.rss,
    {
      name: "descriptors",
      ok: facts.fdsEnd <= facts.fdsBaseline,
      detail: `baseline ${facts.fdsBaseline}, end ${facts.fdsEnd}`
    },
    { name: "inFlight", ok: facts.inFlightEnd === 0, detail: String(facts.inFlightEnd) }
  ]
  return { pass: checks.every((check) => check.ok !== false), checks }
}
