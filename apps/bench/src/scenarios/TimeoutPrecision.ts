/**
 * `timeoutPrecision`: K concurrent streams stall after one chunk (`sim:stall-after`) under a
 * 1-second chunk timeout; how late does each consumer learn of its timeout? The subject's
 * `ChunkTimeout` beside undici's `BodyTimeoutError` (`bodyTimeout` at the same limit).
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
export const timeoutPrecision: Scenario = {
  name: "timeoutPrecision",
  description: "how late a 1 s chunk timeout fires with K concurrent stalled streams (seen by the consumer)",
  variants: ["subject", "effect4", "undiciRaw"],
  processPerRun: false,
  exposeGc: false,
  needsGateway: false,
  runs: (settings) => settings.timeoutPrecision.runs,
  // The subject's half loads Effect; the baseline's must not (see `bin/worker.ts`).
  measure: async (job) =>
    isSubject(job.variant)
      ? (await import("../internal/timeoutPrecision.js")).measure(job, job.variant)
      : (await import("../internal/timeoutPrecisionUndici.js")).measure(job),
  section: (medians) => ({
    metrics: medians["subject"] ?? {},
    baselines: { effect4: medians["effect4"] ?? {}, undiciRaw: medians["undiciRaw"] ?? {} },
    ratios: {
      lateP99VsUndiciRaw: ratio(medians["subject"]?.["lateMsP99"], medians["undiciRaw"]?.["lateMsP99"]),
      ...lineRatios(medians, "lateMsP99", "LateP99VsUndiciRaw", "undiciRaw"),
      ...effect4VsEffect3(medians, "lateMsP99", "LateP99")
    }
  })
}
