/**
 * The timeouts a measured provider needs: each limit is the worst case seen, times a margin,
 * rounded up, and never under a floor (network jitter alone can exceed a few hundred ms). Written
 * as `STREAMGUARD_<PROFILE>_<FIELD>_TIMEOUT` lines and as a config-file profile block.
 *
 * @since 0.1.0
 */
import * as ProfileConfig from "@streamguard/core/ProfileConfig"
import * as millis from "./internal/millis.js"
import type * as Summary from "./Summary.js"

/**
 * The fields a measurement can recommend.
 *
 * @since 0.1.0
 * @category models
 */
export type Field = "firstChunk" | "chunk" | "progress" | "total"

/**
 * One recommended limit and why, in one line.
 *
 * @since 0.1.0
 * @category models
 */
export interface Limit {
  readonly field: Field
  readonly millis: number
  /** The limit as config writes it (`4.1s`, `2m`). */
  readonly value: string
  readonly basis: string
}

/**
 * @since 0.1.0
 * @category models
 */
export interface Recommendation {
  /** The factor over the worst case seen. */
  readonly margin: number
  readonly floorMillis: number
  readonly limits: ReadonlyArray<Limit>
  /** What the limits could not account for (runs that stalled). */
  readonly warnings: ReadonlyArray<string>
}

/**
 * @since 0.1.0
 * @category models
 */
export interface Options {
  /** Default 2: twice the worst case seen. */
  readonly margin?: number | undefined
  /** Default 1000 ms. */
  readonly floorMillis?: number | undefined
}

const describe = (what: string, d: Summary.Distribution): string =>
  `${what} ${millis.format(d.max)} (P50 ${millis.format(d.p50)}, P99 ${millis.format(d.p99)}, ${d.count} seen)`

/**
 * Recommends limits from a summary; a field is left out when nothing measured it (no content, no
 * second event, no finished run).
 *
 * @since 0.1.0
 * @category constructors
 */
export const recommend = (summary: Summary.Summary, options: Options = {}): Recommendation => {
  const margin = options.margin ?? 2
  const floorMillis = options.floorMillis ?? 1000
  const limits: Array<Limit> = []
  const add = (field: Field, d: Summary.Distribution, what: string, note = "") => {
    if (d.max === undefined) return
    const raw = d.max * margin
    const value = Math.max(floorMillis, millis.roundUp(raw))
    const floor = value === floorMillis && millis.roundUp(raw) < floorMillis
      ? `, raised to the ${millis.format(floorMillis)} floor`
      : ""
    limits.push({
      field,
      millis: value,
      value: millis.limit(value),
      basis: `${describe(what, d)} x ${margin}${floor}${note}`
    })
  }
  add("firstChunk", summary.firstContent, "slowest first content")
  add(
    "chunk",
    summary.eventGaps,
    "longest gap between events",
    summary.keepalives > 0 ? "; keepalives count as events" : ""
  )
  add("progress", summary.contentGaps, "longest gap between content", "; keepalives do not reset it")
  add("total", summary.duration, "longest answer")
  const stalled = summary.stalls.length
  const warnings = stalled === 0 ? [] : [
    `${stalled} of ${summary.runs} runs stalled (${
      [...new Set(summary.stalls.map((stall) => stall.outcome))].join(", ")
    }): these limits come from what arrived before the silence; a limit catches such a stall, none fixes it`
  ]
  return { margin, floorMillis, limits, warnings }
}

/**
 * The limits as environment lines: `STREAMGUARD_CHAT_FIRST_CHUNK_TIMEOUT=4.1s`.
 *
 * @since 0.1.0
 * @category formatting
 */
export const envLines = (recommendation: Recommendation, profile: string): Array<string> =>
  recommendation.limits.map((limit) => `${ProfileConfig.envKey(profile, limit.field)}=${limit.value}`)

/**
 * The limits as the config file's profile block (`STREAMGUARD_CONFIG`), pretty-printed JSON.
 *
 * @since 0.1.0
 * @category formatting
 */
export const configBlock = (recommendation: Recommendation, profile: string): string =>
  JSON.stringify(
    { profiles: { [profile]: Object.fromEntries(recommendation.limits.map((limit) => [limit.field, limit.value])) } },
    null,
    2
  )
