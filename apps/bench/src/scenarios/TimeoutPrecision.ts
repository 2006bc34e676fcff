/**
 * `timeoutPrecision`: K concurrent streams stall after one chunk (`sim:stall-after`) under a
 * 1-second chunk timeout; how late does each consumer learn of its `ChunkTimeout`?
 *
 * @since 0.1.0
 */
import type { Scenario } from "../Scenario.js"

/**
 * @since 0.1.0
 * @category scenarios
 */
export const timeoutPrecision: Scenario = {
  name: "timeoutPrecision",
  description: "how late a 1 s chunk timeout fires with K concurrent stalled streams (seen by the consumer)",
  variants: ["subject"],
  processPerRun: false,
  exposeGc: false,
  needsGateway: false,
  runs: (settings) => settings.timeoutPrecision.runs,
  measure: async (job) => (await import("../internal/timeoutPrecision.js")).measure(job),
  section: (medians) => ({ metrics: medians["subject"] ?? {}, baselines: {}, ratios: {} })
}
