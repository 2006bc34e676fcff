import { assert, describe, it } from "@effect/vitest"
import type { LoadOptions } from "../../src/soak/SoakLoad.js"
import { rampStep, SoakLoad } from "../../src/soak/SoakLoad.js"
import { SoakTally } from "../../src/soak/SoakTally.js"
import { chatChunk, serve, sseHead } from "./servers.js"

/**
 * Runs a load on `server` until `until` says enough and `finish` has closed it within `graceMillis`;
 * the load is stopped and the server closed on every path, a failed assertion's included.
 */
const run = async (
  server: Awaited<ReturnType<typeof serve>>,
  options: Partial<LoadOptions> & Pick<LoadOptions, "streams" | "rampWindow" | "steadyPerSecond">,
  until: (load: SoakLoad) => Promise<unknown>,
  graceMillis: number
) => {
  const tally = new SoakTally()
  const load = new SoakLoad(server.origin, {
    rampPerSecond: 1000,
    long: { chunks: 1, gapMillis: 0 },
    steady: { chunks: 1, gapMillis: 0 },
    ...options
  }, tally)
  try {
    load.start()
    await until(load)
    await load.finish(graceMillis)
  } finally {
    load.stop()
    await server.close()
  }
  return { load, totals: tally.totals() }
}

describe("SoakLoad", () => {
  const options = { streams: 1000, rampPerSecond: 100, rampWindow: 8 }

  it("opens long streams at the ramp rate, a late tick catching up by two ticks' worth at most", () => {
    assert.deepStrictEqual(rampStep(options, { credit: 0, open: 0, opening: 0 }, 0.05), { open: 5, credit: 0 })
    assert.deepStrictEqual(rampStep(options, { credit: 0.5, open: 0, opening: 0 }, 0.025), { open: 3, credit: 0 })
    // A loop stalled for 10 s releases 11, not 1,000 (with no window in the way).
    assert.strictEqual(rampStep({ ...options, rampWindow: 1000 }, { credit: 0, open: 0, opening: 0 }, 10).open, 11)
  })

  it("opens no more than the window while the gateway has not answered the earlier ones", () => {
    assert.strictEqual(rampStep(options, { credit: 0, open: 100, opening: 6 }, 0.1).open, 2)
    const full = rampStep(options, { credit: 0, open: 100, opening: 8 }, 1)
    assert.strictEqual(full.open, 0)
    // The credit waits for the window, two ticks' worth at most.
    assert.strictEqual(full.credit, 11)
  })

  it("stops at the target, keeping one credit to reopen a stream that ends", () => {
    assert.deepStrictEqual(rampStep(options, { credit: 0, open: 998, opening: 0 }, 0.1), { open: 2, credit: 1 })
    assert.deepStrictEqual(rampStep(options, { credit: 1, open: 1000, opening: 0 }, 0.1), { open: 0, credit: 1 })
  })

  it("survives a server that resets half its connections: every stream started ends with a label", async () => {
    const wanted = 60
    let requests = 0
    let enough: () => void = () => undefined
    const seen = new Promise<void>((resolve) => (enough = resolve))
    const server = await serve((req, res) => {
      req.resume()
      if (++requests >= wanted) enough()
      // Every other request: a reset before the headers, or one after the first chunk.
      if (requests % 4 === 1) return req.socket.resetAndDestroy()
      sseHead(res)
      if (requests % 4 === 3) return res.write(chatChunk("w0"), () => res.socket?.resetAndDestroy())
      res.end(chatChunk("w0") + "data: [DONE]\n\n")
    })
    const { load, totals } = await run(
      server,
      { streams: 10, rampWindow: 10, steadyPerSecond: 200 },
      () => seen,
      5_000
    )
    const ended = Object.values(totals.outcomes).reduce((a, b) => a + b, 0)
    assert.strictEqual(ended, totals.started.long + totals.started.steady)
    assert.isAtLeast(totals.outcomes["socket:ECONNRESET"] ?? 0, 2)
    assert.isAtLeast(totals.outcomes["done"] ?? 0, 2)
    assert.strictEqual(totals.resets, totals.outcomes["socket:ECONNRESET"])
    assert.deepInclude(Object.keys(totals.errorsByClass), "socket")
    assert.strictEqual(load.open, 0)
  })

  it("holds the long streams at the target, records the ramp's end, and closes them as closed_by_soak", async () => {
    let opened = 0
    let allOpen: () => void = () => undefined
    const all = new Promise<void>((resolve) => (allOpen = resolve))
    const server = await serve((req, res) => {
      req.resume()
      sseHead(res)
      // Each stream's first chunk, then silence until the client goes away.
      res.write(chatChunk("w0"))
      if (++opened === 5) allOpen()
    })
    const { totals } = await run(
      server,
      { streams: 5, rampWindow: 2, steadyPerSecond: 0, long: { chunks: 2, gapMillis: 0 } },
      async (load) => {
        await all
        // The ticker marks the ramp's end on its first tick with all five admitted (their headers read).
        await load.ramped
        assert.strictEqual(load.longOpen, 5)
      },
      1_000
    )
    assert.deepStrictEqual(totals.outcomes, { closed_by_soak: 5 })
    assert.strictEqual(totals.errors, 0)
    assert.strictEqual(totals.openByPhase.ramp.count, 5)
  })

  it("closes a short stream the gateway never ends at the deadline, counting it as client:closing", async () => {
    let first: () => void = () => undefined
    const seen = new Promise<void>((resolve) => (first = resolve))
    const server = await serve((req, res) => {
      req.resume()
      sseHead(res)
      res.write(chatChunk("w0"))
      // The gateway's keep-alives: each resets the client's body timeout, so only the soak can end it.
      const keepAlive = setInterval(() => res.write(": keep-alive\n\n"), 200)
      res.once("close", () => clearInterval(keepAlive))
      first()
    })
    const { load, totals } = await run(
      server,
      { streams: 0, rampWindow: 1, steadyPerSecond: 20 },
      () => seen,
      300
    )
    assert.isAtLeast(totals.started.steady, 1)
    assert.deepStrictEqual(totals.outcomes, { "client:closing": totals.started.steady })
    assert.strictEqual(totals.errors, totals.started.steady)
    assert.deepStrictEqual(totals.errorsByClass, { client: totals.started.steady })
    assert.strictEqual(load.open, 0)
  }, 10_000)
})
