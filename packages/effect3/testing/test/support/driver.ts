/**
 * The Effect 3 line's driver of the behavioural suite: its public API only (`@streamguard/core-effect3`,
 * `client-effect3`, `testing-effect3`, `simulator-effect3`), behind the suite's Promise-based interface.
 */
import type { Driver } from "@streamguard/behaviour"
import { liveClient } from "./liveClient.js"
import { loadProfile } from "./profileLoad.js"
import { underTestClock } from "./testClockRuns.js"

export const driver: Driver = { line: "effect3", underTestClock, liveClient, loadProfile }
