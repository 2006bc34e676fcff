/**
 * What the soak counts: requests by kind, how each ended (by outcome label), chunks lost or
 * repeated, and the latencies, both over the whole run and over the window since the last
 * sample.
 *
 * Outcome labels: `done`; `http_<status>`; `inband:<type>` (the gateway's error event);
 * `socket:<code>` (`socket:ECONNRESET` apart from the others); `unexpected_end` (the body ended
 * without the dialect's done); `client:<code>` (the soak's own limits, e.g. undici's body timeout);
 * `closed_by_soak` (the long streams the soak closes at the end, not an error).
 *
 * @since 0.1.0
 */
import { percentile } from "../Stats.js"
import type { Check } from "./SoakTraffic.js"

/**
 * @since 0.1.0
 * @category models
 */
export type Kind = "long" | "steady"

/**
 * The outcome label of a request that failed with `error` (an undici error or a Node socket
 * error): `socket:ECONNRESET` whether undici reports the reset itself or as the cause of its
 * `UND_ERR_SOCKET`, `socket:<code>` for other socket errors, `client:<code>` for undici's own
 * limits and anything else.
 *
 * @since 0.1.0
 * @category outcomes
 */
export const errorOutcome = (error: unknown): string => {
  const code = codeOf(error)
  const cause = codeOf((error as { cause?: unknown } | undefined)?.cause)
  if (code === "ECONNRESET" || cause === "ECONNRESET") return "socket:ECONNRESET"
  if (code === "UND_ERR_SOCKET" || code === "UND_ERR_CLOSED") return `socket:${cause ?? code}`
  if (code !== undefined && /^E[A-Z]+$/.test(code)) return `socket:${code}`
  return `client:${code ?? (error instanceof Error ? error.name : "unknown")}`
}

const codeOf = (error: unknown): string | undefined => {
  const code = (error as { code?: unknown } | undefined)?.code
  return typeof code === "string" ? code : undefined
}

/**
 * Whether an outcome counts as an error (everything but `done` and `closed_by_soak`).
 *
 * @since 0.1.0
 * @category outcomes
 */
export const isError = (outcome: string): boolean => outcome !== "done" && outcome !== "closed_by_soak"

/**
 * @since 0.1.0
 * @category models
 */
export interface Latencies {
  readonly count: number
  readonly p50: number
  readonly p99: number
}

const latencies = (samples: ReadonlyArray<number>): Latencies => ({
  count: samples.length,
  p50: percentile(samples, 50),
  p99: percentile(samples, 99)
})

/**
 * The counts of a window (since the previous sample) or of the whole run.
 *
 * @since 0.1.0
 * @category models
 */
export interface Counts {
  readonly started: { readonly long: number; readonly steady: number }
  readonly outcomes: Readonly<Record<string, number>>
  readonly errors: number
  readonly resets: number
  readonly lostChunks: number
  readonly duplicatedChunks: number
  /** Short streams: from the request to the first content chunk. */
  readonly ttfcMillis: Latencies
  /** Long streams: from the request to the response's headers. */
  readonly openMillis: Latencies
}

class Window {
  startedLong = 0
  startedSteady = 0
  readonly outcomes = new Map<string, number>()
  lost = 0
  duplicated = 0
  readonly ttfc: Array<number> = []
  readonly open: Array<number> = []

  counts(): Counts {
    let errors = 0
    for (const [outcome, n] of this.outcomes) if (isError(outcome)) errors += n
    return {
      started: { long: this.startedLong, steady: this.startedSteady },
      outcomes: Object.fromEntries([...this.outcomes].sort(([a], [b]) => a.localeCompare(b))),
      errors,
      resets: this.outcomes.get("socket:ECONNRESET") ?? 0,
      lostChunks: this.lost,
      duplicatedChunks: this.duplicated,
      ttfcMillis: latencies(this.ttfc),
      openMillis: latencies(this.open)
    }
  }
}

/**
 * The soak's counters: every record goes to the run's totals and to the current window.
 *
 * @since 0.1.0
 * @category counting
 */
export class SoakTally {
  private total = new Window()
  private window = new Window()

  started(kind: Kind): void {
    if (kind === "long") {
      this.total.startedLong++
      this.window.startedLong++
    } else {
      this.total.startedSteady++
      this.window.startedSteady++
    }
  }

  ended(outcome: string, check?: Check): void {
    for (const w of [this.total, this.window]) {
      w.outcomes.set(outcome, (w.outcomes.get(outcome) ?? 0) + 1)
      if (check !== undefined) {
        w.lost += check.lost
        w.duplicated += check.duplicated
      }
    }
  }

  firstChunk(millis: number): void {
    this.total.ttfc.push(millis)
    this.window.ttfc.push(millis)
  }

  opened(millis: number): void {
    this.total.open.push(millis)
    this.window.open.push(millis)
  }

  /** The current window's counts; the next window starts empty. */
  takeWindow(): Counts {
    const counts = this.window.counts()
    this.window = new Window()
    return counts
  }

  totals(): Counts {
    return this.total.counts()
  }
}
