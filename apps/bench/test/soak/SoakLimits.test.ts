import { assert, describe, it } from "@effect/vitest"
import * as SoakLimits from "../../src/soak/SoakLimits.js"

const limits = `Limit                     Soft Limit           Hard Limit           Units
Max cpu time              unlimited            unlimited            seconds
Max open files            1024                 20000                files
Max locked memory         8388608              8388608              bytes
`

describe("SoakLimits", () => {
  it("reads the open-files limits of a /proc/<pid>/limits text, unlimited as Infinity", () => {
    assert.deepStrictEqual(SoakLimits.nofileOf(limits), { soft: 1024, hard: 20000 })
    assert.deepStrictEqual(
      SoakLimits.nofileOf("Max open files            unlimited            unlimited            files\n"),
      { soft: Infinity, hard: Infinity }
    )
    assert.isUndefined(SoakLimits.nofileOf("Max cpu time unlimited unlimited seconds\n"))
  })

  it("Node raised this process's soft limit to its hard one at start-up", async () => {
    const own = await SoakLimits.nofile("self")
    assert.strictEqual(own.soft, own.hard)
    assert.isAbove(await SoakLimits.fds("self"), 3)
  })

  it("a stream needs two descriptors in the gateway and one in the client and the simulator", () => {
    // 9,000 long streams and 20 short ones a second, each living 400 ms.
    const needs = SoakLimits.needs(9000, 20, 400)
    assert.strictEqual(needs.gateway, 2 * (9000 + 28) + 64)
    assert.strictEqual(needs.client, 9000 + 28 + 64)
    assert.strictEqual(needs.simulator, 9000 + 28 + 64)
    assert.isBelow(needs.gateway, 20_000)
    assert.isAbove(SoakLimits.needs(10_000, 20, 400).gateway, 20_000)
  })

  it("names each process whose soft limit is short, and what would raise it", () => {
    const needs = SoakLimits.needs(9000, 20, 400)
    const enough = { soft: 20_000, hard: 20_000 }
    assert.deepStrictEqual(SoakLimits.shortfalls({ gateway: enough, simulator: enough, client: enough }, needs), [])
    const short = SoakLimits.shortfalls({
      gateway: { soft: 20_000, hard: 20_000 },
      simulator: { soft: 1024, hard: 20_000 },
      client: enough
    }, SoakLimits.needs(10_000, 20, 400))
    assert.strictEqual(short.length, 2)
    assert.match(short[0]!, /^the gateway needs about 20\d{3} descriptors, but its hard limit is 20000/)
    assert.match(short[1]!, /^the simulator needs .* its soft limit is 1024 .*ulimit -n 20000/)
  })
})
