import * as Scenario from "@streamguard/kernel/simulator/Scenario"
import * as ScenarioSpec from "@streamguard/kernel/simulator/ScenarioSpec"
import * as Step from "@streamguard/kernel/simulator/Step"
import { assert, describe, it } from "vitest"

const parse = (spec: string): Scenario.Scenario => {
  const result = ScenarioSpec.parse(spec)
  if (ScenarioSpec.isFailure(result)) return assert.fail(result.reason)
  return result
}

const reason = (spec: string): string => {
  const result = ScenarioSpec.parse(spec)
  if (!ScenarioSpec.isFailure(result)) return assert.fail(`${spec} parsed`)
  assert.strictEqual(result.spec, spec)
  return result.reason
}

describe("ScenarioSpec", () => {
  it("reads a name's parameters, durations in millis, and fills the defaults", () => {
    assert.deepStrictEqual(parse("sim:steady?chunks=200&gap=20ms&seed=7"), {
      _tag: "Steady",
      chunks: 200,
      gap: 20,
      seed: 7
    })
    assert.deepStrictEqual(parse("steady"), { _tag: "Steady", chunks: 24, gap: 50, seed: 1 })
    assert.deepStrictEqual(parse("sim:steady?gap=2 minutes&jitter=1500"), {
      _tag: "Steady",
      chunks: 24,
      gap: 120_000,
      jitter: 1_500,
      seed: 1
    })
  })

  it("takes the main parameter from the name", () => {
    assert.include(parse("sim:think-90s"), { _tag: "Think", silence: 90_000 })
    assert.include(parse("sim:stall-after-3"), { _tag: "StallAfter", after: 3 })
    assert.include(parse("sim:429?retryAfter=5"), { _tag: "HttpError", status: 429, retryAfter: 5 })
    assert.include(parse("sim:slow-headers-2s"), { _tag: "SlowHeaders", delay: 2_000 })
    assert.include(parse("sim:slow-headers"), { _tag: "SlowHeaders", delay: "never" })
  })

  it("reads a JSON scenario and a JSON array of steps", () => {
    assert.deepStrictEqual(parse(`{"_tag":"PingOnly","interval":"1s"}`), { _tag: "PingOnly", interval: 1_000 })
    assert.deepStrictEqual(parse(`[{"_tag":"Chunk","text":"Hi"},{"_tag":"Wait","duration":"2m"},{"_tag":"Done"}]`), {
      _tag: "Script",
      steps: [Step.chunk("Hi"), Step.wait(120_000), Step.done]
    })
  })

  it("refuses an unknown name, naming the known ones", () => {
    assert.strictEqual(
      reason("sim:stedy"),
      `unknown scenario "stedy"; known: ${ScenarioSpec.names.join(", ")}`
    )
  })

  it("refuses every mistake at once, one line per parameter, excess keys first", () => {
    assert.strictEqual(
      reason("sim:steady?chunk=3&gap=soon"),
      `chunk: is unexpected, expected: "_tag" | "chunks" | "gap" | "jitter" | "seed" | "text" | "keepalive"; ` +
        `gap: Expected a duration such as "50ms", "2s" or a number of milliseconds, actual "soon"`
    )
    assert.strictEqual(reason("sim:steady?chunks=abc"), `chunks: Expected a whole number, 0 or more, actual "abc"`)
    assert.match(reason(`[{"_tag":"Wait"}]`), /^steps\[0\]/)
    assert.match(reason("{not json"), /^bad JSON: /)
  })

  it("plays steady for any model that is not a spec, and writes a scenario back as its header", () => {
    assert.deepStrictEqual(ScenarioSpec.fromModel("gpt-4o"), Scenario.steady())
    const scenario = Scenario.errorMid({ after: 2, message: "boom" })
    assert.deepStrictEqual(ScenarioSpec.parse(ScenarioSpec.toHeader(scenario)), scenario)
    assert.strictEqual(ScenarioSpec.name(scenario), "error-mid")
    assert.strictEqual(ScenarioSpec.name(Scenario.httpError({ status: 503 })), "503")
    assert.strictEqual(ScenarioSpec.name(Scenario.script([Step.done])), "script")
  })

  it("reads a scenario's or a step's JSON form, or says every mistake; a kind reads that kind alone", () => {
    assert.deepStrictEqual(Scenario.read({ _tag: "HugeEvent" }), { _tag: "Ok", value: Scenario.hugeEvent() })
    assert.deepStrictEqual(Scenario.read({ _tag: "Steady", seed: -1 }), {
      _tag: "Invalid",
      lines: ["seed: Expected a whole number, 0 or more, actual -1"]
    })
    assert.strictEqual(Scenario.readKind(Scenario.Think, { _tag: "Steady" })._tag, "Invalid")
    assert.deepStrictEqual(Step.read({ _tag: "Raw", text: ": hi\n\n" }), { _tag: "Ok", value: Step.raw(": hi\n\n") })
    assert.deepStrictEqual(Step.readDuration("1500 millis"), { _tag: "Ok", value: 1_500 })
  })

  it("constructors throw on a mistake, as a timer does on a bad duration", () => {
    assert.throws(
      () => Scenario.steady({ chunk: 3 } as Scenario.Options<typeof Scenario.Steady>),
      /chunk: is unexpected/
    )
    assert.throws(() => Step.wait("soon"), TypeError)
  })
})
