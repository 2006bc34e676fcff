/**
 * Measuring a provider: N real streaming requests through `LlmClient`, a few at a time, each
 * recorded step by step by its own observer.
 *
 * @since 0.1.0
 */
import { LlmClient } from "@streamguard/client/LlmClient"
import * as RequestProfile from "@streamguard/core/RequestProfile"
import * as TimeoutPolicy from "@streamguard/core/TimeoutPolicy"
import * as Dialects from "@streamguard/protocols/Dialects"
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import * as ProbeRequest from "./internal/probeRequest.js"
import * as Timeline from "./Timeline.js"

/**
 * What a probe sends, and the limits it measures under.
 *
 * @since 0.1.0
 * @category models
 */
export interface Options extends ProbeRequest.Spec {
  readonly runs: number
  readonly concurrency: number
  /** Silence after which a run counts as stalled (`chunk` and `progress` while measuring). */
  readonly stallAfter: Duration.Duration
  /** The longest wait for the first content (`firstChunk` while measuring). */
  readonly firstContentWithin: Duration.Duration
  /** The longest run (`total` while measuring). */
  readonly maxDuration: Duration.Duration
}

/**
 * The request spec of a probe (dialect, body, key, headers).
 *
 * @since 0.1.0
 * @category models
 */
export type Spec = ProbeRequest.Spec

/**
 * The policy a probe measures under: wide limits, so that only a real stall ends a run early.
 *
 * @since 0.1.0
 * @category constructors
 */
export const measuringPolicy = (options: Options): TimeoutPolicy.TimeoutPolicy =>
  TimeoutPolicy.make({
    firstChunk: options.firstContentWithin,
    chunk: options.stallAfter,
    progress: options.stallAfter,
    total: options.maxDuration
  })

/**
 * Runs the probe: `runs` streams, `concurrency` at a time, each read to its end; `onStep` hears
 * every step of every run as it happens. A run that fails (a timeout, an HTTP error, a refused
 * connection) is a run with that outcome, not a failure of the probe.
 *
 * @since 0.1.0
 * @category running
 */
export const run = (
  options: Options,
  onStep: (step: Timeline.Step) => Effect.Effect<void>
): Effect.Effect<Array<Timeline.Run>, never, LlmClient> => {
  const dialect = Dialects.byName[options.dialect]
  const request = ProbeRequest.make(options)
  const one = (index: number) =>
    Effect.gen(function*() {
      const recorder = yield* Timeline.recorder(index, onStep)
      yield* LlmClient.use((client) =>
        client.streamEvents(request, { dialect, observer: recorder.observer, labels: { run: String(index) } }).pipe(
          Stream.runDrain
        )
      ).pipe(Effect.ignore)
      return yield* recorder.run
    })
  return Effect.forEach(Array.from({ length: options.runs }, (_, i) => i + 1), one, {
    concurrency: options.concurrency
  }).pipe(Effect.provide(RequestProfile.layer("probe", measuringPolicy(options))))
}
