/**
 * `cancelLatency`: from the moment a stream is given up (the consumer interrupts it, or its chunk
 * timeout fires) to the moment the simulator records the connection closed: how soon the
 * upstream can stop generating.
 *
 * @since 0.1.0
 */
import type { Scenario } from "../Scenario.js"

/**
 * @since 0.1.0
 * @category scenarios
 */
export const cancelLatency: Scenario = {
  name: "cancelLatency",
  description: "from an interruption, and from a chunk timeout, to the simulator recording the socket close",
  variants: ["subject"],
  processPerRun: false,
  exposeGc: false,
  needsGateway: false,
  runs: (settings) => settings.cancelLatency.runs,
  measure: async (job) => (await import("../internal/cancelLatency.js")).measure(job),
  section: (medians) => ({ metrics: medians["subject"] ?? {}, baselines: {}, ratios: {} })
}
