import { assert, describe, it } from "@effect/vitest"
import { Scenario, ScenarioSpec, Step } from "@streamguard/simulator"
import { Duration, Result } from "effect"

const parse = (spec: string) => {
  const result = ScenarioSpec.parse(spec)
  if (Result.isFailure(result)) return assert.fail(result.failure.message)
  return result.success
}

describe("ScenarioSpec", () => {
  it("reads parameters from the model name, with short durations", () => {
    const scenario = parse("sim:steady?chunks=200&gap=20ms&seed=7")
    assert.strictEqual(scenario._tag, "Steady")
    if (scenario._tag !== "Steady") return
    assert.strictEqual(scenario.chunks, 200)
    assert.strictEqual(scenario.seed, 7)
    assert.isTrue(scenario.gap === 20)
  })

  it("fills realistic defaults: 24 tokens, 50 ms gaps", () => {
    const scenario = parse("sim:steady")
    if (scenario._tag !== "Steady") return assert.fail("not steady")
    assert.strictEqual(scenario.chunks, 24)
    assert.isTrue(scenario.gap === 50)
  })

  it("takes the main parameter from the name: think-90s, stall-after-3, 429, slow-headers-2s", () => {
    const think = parse("sim:think-90s")
    assert.isTrue(think._tag === "Think" && think.silence === 90_000)
    const stall = parse("sim:stall-after-3")
    assert.isTrue(stall._tag === "StallAfter" && stall.after === 3)
    const rateLimited = parse("sim:429?retryAfter=5")
    assert.isTrue(rateLimited._tag === "HttpError" && rateLimited.status === 429 && rateLimited.retryAfter === 5)
    const slow = parse("slow-headers-2s")
    assert.isTrue(slow._tag === "SlowHeaders" && slow.delay !== "never" && Duration.toMillis(slow.delay) === 2000)
    assert.isTrue(parse("sim:slow-headers")._tag === "SlowHeaders")
  })

  it("reads a JSON array as a script, with durations as text or milliseconds", () => {
    const scenario = parse(
      JSON.stringify([{ _tag: "Chunk", text: "Hi" }, { _tag: "Wait", duration: "2 minutes" }, {
        _tag: "Wait",
        duration: 5
      }, {
        _tag: "Done"
      }])
    )
    if (scenario._tag !== "Script") return assert.fail("not a script")
    assert.deepStrictEqual(scenario.steps.map((step) => step._tag), ["Chunk", "Wait", "Wait", "Done"])
    const wait = scenario.steps[1]
    assert.isTrue(wait?._tag === "Wait" && Duration.toMillis(wait.duration) === 120_000)
  })

  it("rejects unknown names and unknown parameters instead of playing defaults", () => {
    assert.isTrue(Result.isFailure(ScenarioSpec.parse("sim:stedy")))
    assert.isTrue(Result.isFailure(ScenarioSpec.parse("sim:steady?chunk=3")))
    assert.isTrue(Result.isFailure(ScenarioSpec.parse("sim:steady?gap=soon")))
    const error = ScenarioSpec.parse("sim:stedy")
    assert.isTrue(Result.isFailure(error) && error.failure.message.includes("unknown scenario"))
  })

  it("names each mistake in one line: the parameter, what was given and what is allowed", () => {
    const reason = (spec: string) => {
      const parsed = ScenarioSpec.parse(spec)
      return Result.isFailure(parsed) ? parsed.failure.reason : assert.fail(`${spec} parsed`)
    }
    assert.strictEqual(
      reason("sim:steady?chunkz=3"),
      "chunkz: is unexpected, expected: \"_tag\" | \"chunks\" | \"gap\" | \"jitter\" | \"seed\" | \"text\" | \"keepalive\""
    )
    assert.strictEqual(
      reason("sim:steady?chunks=abc&gap=soon"),
      "chunks: Expected a whole number, 0 or more, actual \"abc\"; " +
        "gap: Expected a duration such as \"50ms\", \"2s\" or a number of milliseconds, actual \"soon\""
    )
    assert.strictEqual(
      reason("[{\"_tag\":\"Chunk\"},{\"_tag\":\"Wiat\"}]"),
      "steps[1]._tag: Expected \"Chunk\" | \"Keepalive\" | \"Wait\" | \"Done\" | \"Error\" | \"Reset\" | " +
        "\"StallForever\" | \"End\" | \"Raw\", actual \"Wiat\""
    )
    // No schema signature: nothing of the scenario union's other members.
    assert.notInclude(reason("sim:steady?chunkz=3"), "Encoded side")
  })

  it("plays steady for a model name without the sim: prefix", () => {
    const scenario = ScenarioSpec.fromModel("gpt-4o")
    assert.isTrue(Result.isSuccess(scenario) && scenario.success._tag === "Steady")
  })

  it("round-trips a script through its header form", () => {
    const script = Scenario.script([Step.chunk("a"), Step.wait("3 minutes"), Step.keepalive, Step.done])
    assert.deepStrictEqual(parse(ScenarioSpec.toHeader(script)), script)
    const steady = Scenario.steady({ chunks: 3, gap: "5ms" })
    assert.deepStrictEqual(parse(ScenarioSpec.toHeader(steady)), steady)
  })
})
