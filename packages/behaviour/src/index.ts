/**
 * What a line needs to run the suite: `behaviourSuite` and the `Driver` it implements, with the
 * plain data a driver reads (policies, scripts) and reports (runs, endings, loaded profiles).
 *
 * @since 0.1.0
 */
export { behaviourSuite } from "./BehaviourSuite.js"
export type {
  Case,
  Consumer,
  Driver,
  Ended,
  Ending,
  LiveCall,
  LiveClient,
  ProfileLoad,
  Result,
  Run,
  Snapshot,
  Via
} from "./Driver.js"
export type { BuiltinProfile, Policy, PolicySpec } from "./Policy.js"
export type { Step, Upstream } from "./Script.js"
