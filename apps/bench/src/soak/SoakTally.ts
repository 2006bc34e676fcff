/**
 * What the soak counts: requests by kind, how each ended (by outcome label, see `SoakErrors`),
 * chunks lost or repeated, and the latencies, both over the whole run and over the window since
 * the last sample. Latencies are also kept by phase: `ramp` for streams started before the long
 * streams were all open for the first time, `held` for those started after.
 *
 * Outcome labels: `done`; `http_<status>`; `inband:<type>` (the gateway's error event);
 * `unexpected_end` (the body ended without the dialect's done); a failed request's
 * `socket:<code>`, `descriptors:<code>` or `client:<code>` (`SoakErrors`); `uncaught:<label>` (an
 * error nothing else caught, counted instead of ending the run); `closed_by_soak` (the long
 * streams the soak closes at the end, not an error); `client:closing` (a short stream still open
 * when the soak closes, an error).
 *
 * @since 0.1.0
 */
import { percentile } from "../Stats.js"
import { classOf } from "./SoakErrors.js"
import type { Check } from "./SoakTraffic.js"

/**
 * @since 0.1.0
 * @category models
 */
export type Kind = "long" | "steady"

/**
 * Whether a stream started while the long streams were still being opened for the first time.
 *
 * @since 0.1.0
 * @category models
 */
export type Phase = "ramp" | "held"

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
  readonly max: number
}

const latencies = (samples: ReadonlyArray<number>): Latencies => ({
  count: samples.length,
  p50: percentile(samples, 50),
  p99: percentile(samples, 99),
  max: samples.length === 0 ? Number.NaN : samples.reduce((a, b) => Math.max(a, b))
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
  /** Errors by class (`socket`, `descriptors`, `client`, `http`, `inband`, `unexpected_end`, `uncaught`). */
  readonly errorsByClass: Readonly<Record<string, number>>
  readonly errors: number
  readonly resets: number
  readonly lostChunks: number
  readonly duplicatedChunks: number
  /** Short streams: from the request to the first content chunk. */
  readonly ttfcMillis: Latencies
  /** Long streams: from the request to the response's headers. */
  readonly openMillis: Latencies
  /** The same two by the phase the stream started in. */
  readonly ttfcByPhase: { readonly ramp: Latencies; readonly held: Latencies }
  readonly openByPhase: { readonly ramp: Latencies; readonly held: Latencies }
}

class Window {
  startedLong = 0
  startedSteady = 0
  readonly outcomes = new Map<string, number>()
  lost = 0
  duplicated = 0
  readonly ttfc = { ramp: new Array<number>(), held: new Array<number>() }
  readonly open = { ramp: new Array<number>(), held: new Array<number>() }

  counts(): Counts {
    let errors = 0
    const byClass = new Map<string, number>()
    for (const [outcome, n] of this.outcomes) {
      if (!isError(outcome)) continue
      errors += n
      byClass.set(classOf(outcome), (byClass.get(classOf(outcome)) ?? 0) + n)
    }
    const sorted = (map: Map<string, number>) => Object.fromEntries([...map].sort(([a], [b]) => a.localeCompare(b)))
    return {
      started: { long: this.startedLong, steady: this.startedSteady },
      outcomes: sorted(this.outcomes),
      errorsByClass: sorted(byClass),
      errors,
      resets: this.outcomes.get("socket:ECONNRESET") ?? 0,
      lostChunks: this.lost,
      duplicatedChunks: this.duplicated,
      ttfcMillis: latencies([...this.ttfc.ramp, ...this.ttfc.held]),
      openMillis: latencies([...this.open.ramp, ...this.open.held]),
      ttfcByPhase: { ramp: latencies(this.ttfc.ramp), held: latencies(this.ttfc.held) },
      openByPhase: { ramp: latencies(this.open.ramp), held: latencies(this.open.held) }
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
    for (const w of [this.total, this.window]) {
      if (kind === "long") w.startedLong++
      else w.startedSteady++
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

  /** A short stream's first content chunk, `millis` after its request. */
  firstChunk(millis: number, phase: Phase): void {
    this.total.ttfc[phase].push(millis)
    this.window.ttfc[phase].push(millis)
  }

  /** A long stream's headers, `millis` after its request. */
  opened(millis: number, phase: Phase): void {
    this.total.open[phase].push(millis)
    this.window.open[phase].push(millis)
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
