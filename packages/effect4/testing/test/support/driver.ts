/**
 * The Effect 4 line's driver of the behavioural suite: its public API only (`@streamguard/core`,
 * `client`, `testing`, `simulator`), behind the suite's Promise-based interface.
 */
import type { Driver } from "@streamguard/behaviour"
import { liveClient } from "./liveClient.js"
import { loadProfile } from "./profileLoad.js"
import { underTestClock } from "./testClockRuns.js"

export const driver: Driver = { line: "effect4", underTestClock, liveClient, loadProfile }
