/**
 * The contract between the runner and a scenario: which processes to start (one per variant,
 * and per run for memory figures), what one process measures, and how the medians become the
 * report's `metrics`, `baselines` and `ratios`.
 *
 * @since 0.1.0
 */
import type { Consumer } from "./Consumer.js"
import type { Mode, Settings } from "./Settings.js"

/**
 * One run's figures, by metric name.
 *
 * @since 0.1.0
 * @category models
 */
export type Metrics = Readonly<Record<string, number>>

/**
 * What a worker process is told.
 *
 * @since 0.1.0
 * @category models
 */
export interface Job {
  readonly scenario: string
  readonly variant: string
  readonly settings: Settings
  /** Runs this process makes (1 when each run gets a fresh process). */
  readonly runs: number
  readonly simUrl: string
  /** The simulator's process, for its descriptors when a scenario runs out of them. */
  readonly simPid: number | undefined
  readonly gatewayUrl: string | undefined
}

/**
 * A scenario's section of the report: the subject's `metrics`, each baseline's, the `ratios` of the
 * subject's figures to a baseline's, and `derived` figures that are neither (a difference between
 * the subject and a baseline), where a target needs one.
 *
 * @since 0.1.0
 * @category models
 */
export interface Section {
  /** The name of `metrics`' column in the Markdown (by default `gateway` or `subject (effect3)`). */
  readonly label?: string | undefined
  readonly metrics: Metrics
  readonly baselines: Readonly<Record<string, Metrics>>
  readonly ratios: Metrics
  readonly derived?: Metrics | undefined
}

/**
 * @since 0.1.0
 * @category models
 */
export interface Scenario {
  readonly name: string
  /** One sentence for `--help` and the README. */
  readonly description: string
  /** Each variant runs in processes of its own; `subject` is the subject. */
  readonly variants: ReadonlyArray<string>
  /** A fresh process per run (memory figures), else one process makes every run after a warm-up. */
  readonly processPerRun: boolean
  readonly exposeGc: boolean
  /**
   * The modes whose run includes the scenario (every mode when absent); `--only` runs it in any
   * mode, at that mode's sizes.
   */
  readonly modes?: ReadonlyArray<Mode> | undefined
  /** Uses the gateway the runner starts once for the whole bench (`job.gatewayUrl`). */
  readonly needsGateway: boolean
  /**
   * Each run gets a gateway process of its own (`job.gatewayUrl`), started by the runner with these
   * extra flags and `--expose-gc`, whose usage the worker asks the runner for (`Ipc.sampleGateway`):
   * figures of the gateway's own memory. Implies a fresh worker process per run.
   */
  readonly ownGateway?: ((settings: Settings) => ReadonlyArray<string>) | undefined
  readonly runs: (settings: Settings) => number
  /** In the worker: measures `job.runs` runs of `job.variant`. */
  readonly measure: (job: Job) => Promise<ReadonlyArray<Metrics>>
  /** In the runner: the medians of each variant, as the report's section. */
  readonly section: (medians: Readonly<Record<string, Metrics>>) => Section
}

/**
 * The consumers by name, loaded on demand so a baseline's process never loads the subject's
 * modules (nor the subject's the SDK's): memory figures stay each consumer's own.
 *
 * @since 0.1.0
 * @category consumers
 */
export const consumer = async (name: string): Promise<Consumer> => {
  switch (name) {
    case "subject":
    case "effect4":
      return (await (await import("./Lines.js")).line(name)).consumer
    case "undiciRaw":
      return (await import("./UndiciRaw.js")).undiciRaw
    case "openaiSdk":
      return (await import("./OpenAiSdk.js")).openaiSdk
    default:
      throw new Error(`unknown consumer ${name}`)
  }
}

/**
 * `a / b`, for ratios.
 *
 * @since 0.1.0
 * @category ratios
 */
export const ratio = (a: number | undefined, b: number | undefined): number =>
  a === undefined || b === undefined ? Number.NaN : a / b

/**
 * `a - b`, for derived figures.
 *
 * @since 0.1.0
 * @category ratios
 */
export const difference = (a: number | undefined, b: number | undefined): number =>
  a === undefined || b === undefined ? Number.NaN : a - b

/**
 * The ratio of each line's subject to a baseline, named after the line: `effect3<suffix>` (the
 * `subject` variant) and `effect4<suffix>`, each `metric` over the baseline's `baselineMetric`
 * (by default the same metric).
 *
 * @since 0.1.0
 * @category ratios
 */
export const lineRatios = (
  medians: Readonly<Record<string, Metrics>>,
  metric: string,
  suffix: string,
  baseline: string,
  baselineMetric: string = metric
): Metrics => {
  const of = medians[baseline]?.[baselineMetric]
  return {
    [`effect3${suffix}`]: ratio(medians["subject"]?.[metric], of),
    [`effect4${suffix}`]: ratio(medians["effect4"]?.[metric], of)
  }
}

/**
 * The Effect 4 line's subject over the Effect 3 line's on `metric`, named `effect4VsEffect3<suffix>`:
 * the Effect 4 line is to cost no more than the Effect 3 one (at most 1).
 *
 * @since 0.1.0
 * @category ratios
 */
export const effect4VsEffect3 = (
  medians: Readonly<Record<string, Metrics>>,
  metric: string,
  suffix: string = ""
): Metrics => ({ [`effect4VsEffect3${suffix}`]: ratio(medians["effect4"]?.[metric], medians["subject"]?.[metric]) })
