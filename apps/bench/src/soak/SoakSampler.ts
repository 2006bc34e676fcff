/**
 * The soak's samples, read from outside the processes: the gateway's RSS and CPU from `/proc`,
 * its open descriptors from `/proc/<pid>/fd`, its streams in flight from its `/metrics`; and the
 * descriptors the simulator and the soak's own process hold. A sample never fails on the gateway's
 * account: a `/metrics` read that fails (a reset under load) leaves `inFlight` unknown and says
 * why.
 *
 * @since 0.1.0
 */
import { Client } from "undici"
import * as Proc from "../Proc.js"
import { outcomeOf } from "./SoakErrors.js"
import * as SoakLimits from "./SoakLimits.js"

/**
 * @since 0.1.0
 * @category models
 */
export interface GatewaySample {
  readonly atMillis: number
  readonly rssBytes: number
  readonly cpuMicros: number
  readonly fds: number
  /** `NaN` when `/metrics` could not be read (`metricsError` says why). */
  readonly inFlight: number
  readonly metricsError?: string | undefined
  readonly simulatorFds: number
  readonly clientFds: number
}

/**
 * The `streamguard_gateway_streams_in_flight` gauge in a Prometheus text (`NaN` when absent).
 *
 * @since 0.1.0
 * @category metrics
 */
export const inFlightOf = (metrics: string): number => {
  const match = /^streamguard_gateway_streams_in_flight(?:\{[^}]*\})?\s+(\S+)$/m.exec(metrics)
  return match === null ? Number.NaN : Number(match[1])
}

/**
 * Samples the gateway and the simulator. One kept-alive connection serves every `/metrics` read,
 * so the sampler holds the same single descriptor in the gateway from the baseline to the end
 * (undici opens it again if the gateway closed it).
 *
 * @since 0.1.0
 * @category sampling
 */
export class GatewaySampler {
  private readonly client: Client

  constructor(private readonly pids: { readonly gateway: number; readonly simulator: number }, url: string) {
    this.client = new Client(url, {
      pipelining: 1,
      keepAliveTimeout: 600_000,
      keepAliveMaxTimeout: 600_000,
      headersTimeout: 10_000,
      bodyTimeout: 10_000
    })
  }

  async sample(): Promise<GatewaySample> {
    // /metrics first: the server may have closed the idle connection since the last sample, and
    // the descriptors are counted with it open again.
    const metrics = await this.metrics()
    const [usage, fds, simulatorFds, clientFds] = await Promise.all([
      Proc.usage(this.pids.gateway),
      SoakLimits.fds(this.pids.gateway),
      SoakLimits.fds(this.pids.simulator),
      SoakLimits.fds("self")
    ])
    return {
      atMillis: usage.atMillis,
      rssBytes: usage.rssBytes,
      cpuMicros: usage.cpuMicros,
      fds,
      ...metrics,
      simulatorFds,
      clientFds
    }
  }

  close(): Promise<void> {
    return this.client.destroy().catch(() => undefined)
  }

  private async metrics(): Promise<{ readonly inFlight: number; readonly metricsError?: string }> {
    try {
      const response = await this.client.request({ method: "GET", path: "/metrics" })
      const text = await response.body.text()
      return response.statusCode === 200
        ? { inFlight: inFlightOf(text) }
        : { inFlight: Number.NaN, metricsError: `http_${response.statusCode}` }
    } catch (error) {
      return { inFlight: Number.NaN, metricsError: outcomeOf(error) }
    }
  }
}
