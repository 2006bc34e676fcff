/**
 * `cancelLatency`: from the moment a stream is given up (the consumer interrupts it, or its chunk
 * timeout fires) to the moment the simulator records the connection closed: how soon the
 * upstream can stop generating. The baseline aborts undici `request()`s the same way.
 *
 * @since 0.1.0
 */
import { isSubject } from "../Lines.js"
import type { Scenario } from "../Scenario.js"
import { effect4VsEffect3, lineRatios, ratio } from "../Scenario.js"

/**
 * @since 0.1.0
 * @category scenarios
 */
export const cancelLatency: Scenario = {
  name: "cancelLatency",
  description: "from an interruption, and from a chunk timeout, to the simulator recording the socket close",
  variants: ["subject", "effect4", "undiciRaw"],
  processPerRun: false,
  exposeGc: false,
  needsGateway: false,
  runs: (settings) => settings.cancelLatency.runs,
  // The subject's half loads Effect; the baseline's must not (see `bin/worker.ts`).
  measure: async (job) =>
    isSubject(job.variant)
      ? (await import("../internal/cancelLatency.js")).measure(job, job.variant)
      : (await import("../internal/cancelLatencyUndici.js")).measure(job),
  section: (medians) => {
    const undiciP99 = medians["undiciRaw"]?.["abortToCloseMsP99"]
    return {
      metrics: medians["subject"] ?? {},
      baselines: { effect4: medians["effect4"] ?? {}, undiciRaw: medians["undiciRaw"] ?? {} },
      ratios: {
        interruptToCloseP99VsUndiciRaw: ratio(medians["subject"]?.["interruptToCloseMsP99"], undiciP99),
        timeoutToCloseP99VsUndiciRaw: ratio(medians["subject"]?.["timeoutToCloseMsP99"], undiciP99),
        ...lineRatios(
          medians,
          "interruptToCloseMsP99",
          "InterruptToCloseP99VsUndiciRaw",
          "undiciRaw",
          "abortToCloseMsP99"
        ),
        ...lineRatios(medians, "timeoutToCloseMsP99", "TimeoutToCloseP99VsUndiciRaw", "undiciRaw", "abortToCloseMsP99"),
        ...effect4VsEffect3(medians, "interruptToCloseMsP99", "InterruptToCloseP99")
      }
    }
  }
}
