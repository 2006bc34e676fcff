import { assert, describe, it } from "@effect/vitest"
import { Scenario, ScenarioSpec, Step } from "@streamguard/simulator"
import { Duration, Result, Schema } from "effect"

describe("Scenario", () => {
  it("constructors take the JSON form a spec names and fill the same defaults", () => {
    const built = Scenario.steady({ chunks: 3, gap: "5ms" })
    assert.deepStrictEqual(Result.getOrThrow(ScenarioSpec.parse("sim:steady?chunks=3&gap=5ms")), built)
    const defaults = Scenario.stallAfter()
    assert.isTrue(defaults._tag === "StallAfter" && defaults.after === 3)
    assert.isTrue(defaults._tag === "StallAfter" && defaults.gap === 50)
  })

  it("a constructor throws on a field its scenario does not have, instead of playing the defaults", () => {
    assert.throws(() => Scenario.steady({ chunk: 3 } as Scenario.Options<typeof Scenario.Steady>))
    assert.throws(() => Scenario.pingOnly({ interval: "soon" }))
  })

  it("httpError carries its delay, headers and body", () => {
    const scenario = Scenario.httpError({ status: 503, delay: "2s", headers: { "x-a": "b" }, body: "{}" })
    assert.isTrue(scenario._tag === "HttpError" && scenario.status === 503 && scenario.body === "{}")
    assert.isTrue(scenario._tag === "HttpError" && Duration.toMillis(scenario.delay ?? Duration.zero) === 2000)
  })

  it("script keeps its steps exactly, with its options", () => {
    const script = Scenario.script([Step.chunk("a"), Step.done], { keepalive: "none", opening: false })
    assert.isTrue(script._tag === "Script" && script.keepalive === "none" && script.opening === false)
    assert.deepStrictEqual(script._tag === "Script" ? script.steps : [], [Step.chunk("a"), Step.done])
  })

  it("the Scenario and Step schemas decode the JSON form with the spec's defaults, and name every mistake", () => {
    const decoded = Schema.decodeUnknownResult(Scenario.Scenario)({ _tag: "Steady", chunks: "3", gap: "5ms" })
    assert.deepStrictEqual(decoded, Result.succeed(Scenario.steady({ chunks: 3, gap: 5 })))
    const refused = Schema.decodeUnknownResult(Scenario.Scenario)({ _tag: "Steady", chunk: 3 })
    assert.isTrue(Result.isFailure(refused) && refused.failure.message.includes("chunk: is unexpected"))
    assert.deepStrictEqual(Schema.decodeUnknownSync(Step.Step)({ _tag: "Wait", duration: "2s" }), Step.wait(2_000))
    assert.strictEqual(Schema.decodeUnknownSync(Step.DurationInput)("2 minutes"), 120_000)
    assert.throws(() => Schema.decodeUnknownSync(Step.DurationInput)("soon"), /Expected a duration/)
    assert.deepStrictEqual(Schema.encodeSync(Scenario.Scenario)(Scenario.pingOnly()), Scenario.pingOnly())
  })

  it("each kind's schema reads that kind alone", () => {
    assert.deepStrictEqual(Schema.decodeUnknownSync(Scenario.Steady)({ _tag: "Steady" }), Scenario.steady())
    assert.isTrue(Result.isFailure(Schema.decodeUnknownResult(Scenario.Steady)({ _tag: "Think" })))
    assert.deepStrictEqual(Schema.decodeUnknownSync(Step.Wait)({ _tag: "Wait", duration: "1s" }), Step.wait(1_000))
    assert.isTrue(Result.isFailure(Schema.decodeUnknownResult(Step.ErrorSignal)({ _tag: "Done" })))
  })
})
