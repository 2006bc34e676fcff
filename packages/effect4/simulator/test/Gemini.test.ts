/**
 * The simulator's Gemini endpoint, over HTTP, in both of its streaming forms (SSE with `alt=sse`,
 * one JSON array without) and the whole answer: every scenario decoded by the `gemini` dialect.
 */
import { assert, describe, it } from "@effect/vitest"
import type { StreamEvent } from "@streamguard/core"
import { Gemini } from "@streamguard/protocols"
import { Scenario, ScenarioSpec, UpstreamSimulator } from "@streamguard/simulator"
import { Effect, Result, Stream } from "effect"
import { bytesOf, json, post } from "./support/http.js"

const body = { contents: [{ role: "user", parts: [{ text: "hi" }] }] }

const forms = {
  sse: { path: ":streamGenerateContent?alt=sse", contentType: "text/event-stream" },
  array: { path: ":streamGenerateContent", contentType: "application/json; charset=UTF-8" }
} as const

/** One streamed answer of `scenario` in `form`: its status, content type and decoded events. */
const streamed = (url: string, form: keyof typeof forms, scenario: Scenario.Scenario) =>
  Effect.gen(function*() {
    const response = yield* post(`${url}/v1beta/models/gemini-2.5-flash${forms[form].path}`, body, {
      headers: { "x-sim-scenario": ScenarioSpec.toHeader(scenario) }
    })
    const events = yield* Gemini.gemini.decode(bytesOf(response)).pipe(
      Stream.runCollect,
      Effect.map((all) => all as ReadonlyArray<StreamEvent.StreamEvent<unknown>>),
      Effect.result
    )
    return { status: response.status, contentType: response.headers.get("content-type"), events }
  })

const tags = (events: Result.Result<ReadonlyArray<StreamEvent.StreamEvent<unknown>>, unknown>) =>
  Result.map(events, (all) => all.map((event) => event._tag).filter((tag) => tag !== "Keepalive"))

describe("the simulator's Gemini endpoint", () => {
  for (const form of ["sse", "array"] as const) {
    it.live(`${form}: every scenario decodes with the gemini dialect to what it plays`, () =>
      Effect.gen(function*() {
        const sim = yield* UpstreamSimulator.make()
        const steady = yield* streamed(sim.url, form, Scenario.steady({ chunks: 3, gap: "1 millis", jitter: 0 }))
        assert.strictEqual(steady.status, 200)
        assert.strictEqual(steady.contentType, forms[form].contentType)
        assert.deepStrictEqual(tags(steady.events), Result.succeed(["Chunk", "Chunk", "Chunk", "Done"]))

        const error = yield* streamed(sim.url, form, Scenario.errorMid({ after: 2, gap: "1 millis" }))
        assert.deepStrictEqual(tags(error.events), Result.succeed(["Chunk", "Chunk", "ErrorSignal"]))

        // No finishReason before the end: a truncation, so no Done.
        const cut = yield* streamed(sim.url, form, Scenario.endWithoutDone({ after: 2, gap: "1 millis" }))
        assert.deepStrictEqual(tags(cut.events), Result.succeed(["Chunk", "Chunk"]))

        const dripped = yield* streamed(sim.url, form, Scenario.slowDrip({ chunks: 2, bytes: 7, every: "1 millis" }))
        assert.deepStrictEqual(tags(dripped.events), Result.succeed(["Chunk", "Chunk", "Done"]))

        // A reset fails the request, or its body if the headers were already read.
        const reset = yield* Effect.result(streamed(sim.url, form, Scenario.resetMid({ after: 1, gap: "1 millis" })))
        assert.isTrue(Result.isFailure(reset) || Result.isFailure(reset.success.events), "a reset fails the body")

        const limited = yield* streamed(sim.url, form, Scenario.httpError({ status: 429 }))
        assert.strictEqual(limited.status, 429)

        const records = yield* sim.requests
        assert.isTrue(records.every((record) => record.dialect === "gemini" && record.model === "gemini-2.5-flash"))
      }))
  }

  it.live("a model named in the path may hold colons: sim:<scenario> plays that scenario, in both methods", () =>
    Effect.gen(function*() {
      const sim = yield* UpstreamSimulator.make()
      // The method is after the last colon; the scenario's parameters are the model's, escaped.
      const model = encodeURIComponent("sim:steady?chunks=2&gap=1ms&text=one two")
      const response = yield* post(`${sim.url}/v1beta/models/${model}:streamGenerateContent?alt=sse`, body)
      assert.strictEqual(response.status, 200)
      const events = yield* Gemini.gemini.decode(bytesOf(response)).pipe(
        Stream.runCollect,
        Effect.map((all) => all as ReadonlyArray<StreamEvent.StreamEvent<unknown>>),
        Effect.result
      )
      assert.deepStrictEqual(tags(events), Result.succeed(["Chunk", "Chunk", "Done"]))

      const whole = yield* post(`${sim.url}/v1beta/models/sim:steady:generateContent`, body)
      assert.strictEqual(whole.status, 200)
      assert.strictEqual((yield* json(whole)).candidates[0].finishReason, "STOP")

      const records = yield* sim.requests
      assert.deepStrictEqual(records.map((record) => [record.model, record.scenarioName]), [
        ["sim:steady?chunks=2&gap=1ms&text=one two", "steady"],
        ["sim:steady", "steady"]
      ])
    }))

  it.live("a path with no Gemini method after its last colon is a 400 naming it", () =>
    Effect.gen(function*() {
      const sim = yield* UpstreamSimulator.make()
      const response = yield* post(`${sim.url}/v1beta/models/sim:steady:countTokens`, body)
      assert.strictEqual(response.status, 400)
      assert.include((yield* json(response)).error.message, "unknown Gemini method")
    }))

  it.live("generateContent answers the whole text in Gemini's response shape", () =>
    Effect.gen(function*() {
      const sim = yield* UpstreamSimulator.make()
      const response = yield* post(`${sim.url}/v1beta/models/gemini-2.5-flash:generateContent`, body, {
        headers: { "x-sim-scenario": ScenarioSpec.toHeader(Scenario.steady({ chunks: 3, text: "one two three" })) }
      })
      assert.strictEqual(response.status, 200)
      const answer = yield* json(response)
      assert.strictEqual(answer.candidates[0].content.parts[0].text, "one two three")
      assert.strictEqual(answer.candidates[0].finishReason, "STOP")
    }))
})
