import { assert, describe, it } from "@effect/vitest"
import { type GatewaySample, GatewaySampler, inFlightOf } from "../../src/soak/SoakSampler.js"
import { serve } from "./servers.js"

const metrics = "# HELP streamguard_gateway_streams_in_flight streams\n" +
  "# TYPE streamguard_gateway_streams_in_flight gauge\nstreamguard_gateway_streams_in_flight 1234\n"

// This process stands in for the gateway and the simulator: their /proc entries are read the same way.
const pids = { gateway: process.pid, simulator: process.pid }

describe("GatewaySampler", () => {
  it("reads the gateway's in-flight gauge from its Prometheus text", () => {
    assert.strictEqual(inFlightOf(metrics), 1234)
    assert.isNaN(inFlightOf("other_metric 1\n"))
  })

  it("samples RSS, CPU, descriptors and the streams in flight", async () => {
    const server = await serve((req, res) => {
      req.resume()
      res.end(metrics)
    })
    const sampler = new GatewaySampler(pids, server.origin)
    let sample: GatewaySample
    try {
      sample = await sampler.sample()
    } finally {
      await sampler.close()
      await server.close()
    }
    assert.strictEqual(sample.inFlight, 1234)
    assert.isUndefined(sample.metricsError)
    assert.isAbove(sample.rssBytes, 0)
    assert.isAbove(sample.cpuMicros, 0)
    assert.isAbove(sample.fds, 3)
    assert.isAbove(sample.clientFds, 3)
  })

  it("a /metrics read the gateway resets leaves the streams in flight unknown, says why, and the next read works", async () => {
    let requests = 0
    const server = await serve((req, res) => {
      req.resume()
      if (++requests === 1) return req.socket.resetAndDestroy()
      res.end(metrics)
    })
    const sampler = new GatewaySampler(pids, server.origin)
    let reset: GatewaySample
    let next: GatewaySample
    try {
      reset = await sampler.sample()
      next = await sampler.sample()
    } finally {
      await sampler.close()
      await server.close()
    }
    assert.isNaN(reset.inFlight)
    assert.strictEqual(reset.metricsError, "socket:ECONNRESET")
    assert.isAbove(reset.fds, 3)
    assert.strictEqual(next.inFlight, 1234)
  })
})
