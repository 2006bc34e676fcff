/**
 * Every scenario, in the order they run and report.
 *
 * @since 0.1.0
 */
import type { Scenario } from "./Scenario.js"
import { cancelLatency } from "./scenarios/CancelLatency.js"
import { chunkOverhead } from "./scenarios/ChunkOverhead.js"
import { gatewayIdle, gatewayIdle9k } from "./scenarios/GatewayIdle.js"
import { gatewayOverhead } from "./scenarios/GatewayOverhead.js"
import * as GatewayScale from "./scenarios/GatewayScale.js"
import { idleMemory } from "./scenarios/IdleMemory.js"
import { timeoutPrecision } from "./scenarios/TimeoutPrecision.js"
import * as UpstreamHttp2 from "./scenarios/UpstreamHttp2.js"

/**
 * Every scenario this machine can run: `upstreamHttp2` needs openssl and `gatewayScale` nginx, and
 * each is left out without it.
 * Each mode's run holds those whose `modes` include it (`gatewayIdle9k` is the full run's only).
 *
 * @since 0.1.0
 * @category scenarios
 */
export const all: ReadonlyArray<Scenario> = [
  chunkOverhead,
  idleMemory,
  timeoutPrecision,
  cancelLatency,
  gatewayOverhead,
  gatewayIdle,
  gatewayIdle9k,
  ...(UpstreamHttp2.available() ? [UpstreamHttp2.upstreamHttp2] : []),
  ...(GatewayScale.available() ? [GatewayScale.gatewayScale] : [])
]

/**
 * @since 0.1.0
 * @category scenarios
 */
export const byName = (name: string): Scenario | undefined => all.find((scenario) => scenario.name === name)
