import { assert, describe, it } from "@effect/vitest"
import { errors } from "undici"
import { inFlightOf } from "../../src/soak/SoakProcesses.js"
import { errorOutcome, isError, SoakTally } from "../../src/soak/SoakTally.js"

const withCode = (code: string, cause?: unknown) => Object.assign(new Error(code), { code, cause })

describe("SoakTally", () => {
  it("counts a reset apart from other socket errors, however undici reports it", () => {
    assert.strictEqual(errorOutcome(withCode("ECONNRESET")), "socket:ECONNRESET")
    assert.strictEqual(errorOutcome(new errors.SocketError("other side closed")), "socket:UND_ERR_SOCKET")
    assert.strictEqual(errorOutcome(withCode("UND_ERR_SOCKET", withCode("ECONNRESET"))), "socket:ECONNRESET")
    assert.strictEqual(errorOutcome(withCode("ECONNREFUSED")), "socket:ECONNREFUSED")
  })

  it("tells the client's own limits from socket errors", () => {
    assert.strictEqual(errorOutcome(new errors.BodyTimeoutError()), "client:UND_ERR_BODY_TIMEOUT")
    assert.strictEqual(errorOutcome(new TypeError("x")), "client:TypeError")
  })

  it("streams the soak closed and completed ones are not errors", () => {
    assert.isFalse(isError("done"))
    assert.isFalse(isError("closed_by_soak"))
    assert.isTrue(isError("http_503"))
    assert.isTrue(isError("inband:chunk_timeout"))
  })

  it("a window holds what happened since the last one; the totals hold everything", () => {
    const tally = new SoakTally()
    tally.started("long")
    tally.started("steady")
    tally.ended("done", { lost: 1, duplicated: 0 })
    tally.ended("socket:ECONNRESET")
    tally.firstChunk(10)
    const first = tally.takeWindow()
    assert.deepStrictEqual(first.started, { long: 1, steady: 1 })
    assert.deepStrictEqual(first.outcomes, { done: 1, "socket:ECONNRESET": 1 })
    assert.strictEqual(first.errors, 1)
    assert.strictEqual(first.resets, 1)
    assert.strictEqual(first.lostChunks, 1)
    assert.strictEqual(first.ttfcMillis.p50, 10)
    tally.ended("http_503")
    const second = tally.takeWindow()
    assert.deepStrictEqual(second.outcomes, { http_503: 1 })
    assert.strictEqual(second.ttfcMillis.count, 0)
    const totals = tally.totals()
    assert.strictEqual(totals.errors, 2)
    assert.deepStrictEqual(totals.started, { long: 1, steady: 1 })
  })

  it("reads the gateway's in-flight gauge from its Prometheus text", () => {
    const text = "# HELP streamguard_gateway_streams_in_flight streams\n" +
      "# TYPE streamguard_gateway_streams_in_flight gauge\nstreamguard_gateway_streams_in_flight 1234\n"
    assert.strictEqual(inFlightOf(text), 1234)
    assert.isNaN(inFlightOf("other_metric 1\n"))
  })
})
