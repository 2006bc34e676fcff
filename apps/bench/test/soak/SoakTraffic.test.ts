import { assert, describe, it } from "@effect/vitest"
import * as ScenarioSpec from "@streamguard/kernel/simulator/ScenarioSpec"
import * as Simulation from "@streamguard/kernel/simulator/Simulation"
import * as SoakTraffic from "../../src/soak/SoakTraffic.js"

describe("SoakTraffic", () => {
  it("names a scenario whose chunks are the numbered words, one per chunk, without jitter", () => {
    const model = SoakTraffic.model({ chunks: 5, gapMillis: 20_000, keepaliveMillis: 10_000 })
    const scenario = ScenarioSpec.fromModel(model)
    if (ScenarioSpec.isFailure(scenario)) throw new Error(scenario.reason)
    assert.strictEqual(Simulation.chunkCount(scenario), 5)
    assert.strictEqual(Simulation.text(scenario), "w0 w1 w2 w3 w4")
    assert.include(model, "jitter=0ms")
    assert.include(model, "keepalive=10000ms")
  })

  it("a complete answer has nothing lost or duplicated, whatever the chunk boundaries", () => {
    assert.deepStrictEqual(SoakTraffic.check(4, "w0 w1 w2 w3"), { lost: 0, duplicated: 0 })
  })

  it("counts words never read as lost and words read twice or unknown as duplicated", () => {
    assert.deepStrictEqual(SoakTraffic.check(4, "w0 w2 w3"), { lost: 1, duplicated: 0 })
    assert.deepStrictEqual(SoakTraffic.check(4, "w0 w1 w1 w2 w3"), { lost: 0, duplicated: 1 })
    assert.deepStrictEqual(SoakTraffic.check(2, "w0 w1 w7"), { lost: 0, duplicated: 1 })
    assert.deepStrictEqual(SoakTraffic.check(3, ""), { lost: 3, duplicated: 0 })
  })

  it("writes each endpoint's own streaming request body", () => {
    assert.deepInclude(JSON.parse(SoakTraffic.body("/v1/responses", "m")), { model: "m", stream: true, input: "hi" })
    assert.deepInclude(JSON.parse(SoakTraffic.body("/v1/messages", "m")), {
      model: "m",
      stream: true,
      max_tokens: 1024
    })
    assert.deepInclude(JSON.parse(SoakTraffic.body("/v1/chat/completions", "m")), { model: "m", stream: true })
  })
})
