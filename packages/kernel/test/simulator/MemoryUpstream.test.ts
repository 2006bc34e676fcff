import * as Dialects from "@streamguard/kernel/protocols/Dialects"
import type { Call } from "@streamguard/kernel/simulator/MemoryUpstream"
import * as MemoryUpstream from "@streamguard/kernel/simulator/MemoryUpstream"
import * as Scenario from "@streamguard/kernel/simulator/Scenario"
import * as Simulation from "@streamguard/kernel/simulator/Simulation"
import * as Step from "@streamguard/kernel/simulator/Step"
import { assert, describe, it } from "vitest"

const arrive = (body: unknown, call: Call, path = "/v1/messages") =>
  MemoryUpstream.arrive({
    method: "POST",
    url: new URL(`https://upstream.test${path}`),
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
    call,
    scripts: (request) => request.attempt === 1 ? Scenario.httpError({ status: 503 }) : [Step.chunk("a"), Step.done],
    batchDialect: undefined,
    now: () => 1_000
  })

describe("MemoryUpstream", () => {
  it("a request without a call's dialect answers in its path's, streams when its body says so, and counts its attempts", () => {
    const call: Call = { index: 3, dialect: undefined, attempts: 0 }
    const first = arrive({ model: "claude", stream: true, id: 9, messages: [] }, call)
    assert.deepInclude(first.request, { call: 3, attempt: 1, stream: true, dialect: "anthropic" })
    assert.strictEqual(first.scenario._tag, "HttpError")
    assert.deepInclude(first.simulation, { dialect: "anthropic", model: "claude", requestId: 9, id: "call3-attempt1" })
    const second = arrive({ model: "claude" }, call, "/elsewhere")
    assert.deepInclude(second.request, { attempt: 2, stream: false, dialect: "openaiChat" })
    // An array of steps is a script of exactly those steps.
    assert.isTrue(second.scenario._tag === "Script" && second.scenario.steps.length === 2)
    assert.strictEqual(second.tracker.snapshot().startedAt, 1_000)
  })

  it("a call's dialect decides the answer and its content type, whatever the path", () => {
    const arrival = arrive({}, { index: 1, dialect: Dialects.ollama, attempts: 0 }, "/v1/messages")
    assert.deepInclude(arrival.request, { dialect: "ollama", stream: true })
    assert.strictEqual(arrival.contentType, Dialects.ollama.contentType)
    assert.strictEqual(arrival.simulation.model, "sim-model")
  })

  it("lead: the waits before a script's first other step, and that step", () => {
    assert.deepStrictEqual(MemoryUpstream.lead(Scenario.script([Step.wait(5), Step.wait(7), Step.reset])), {
      delayMillis: 12,
      tag: "Reset"
    })
    assert.deepStrictEqual(MemoryUpstream.lead(Scenario.steady()), { delayMillis: 0, tag: undefined })
  })

  it("a batch answer is 500 after an error signal and half a body when cut short, and told to the record", () => {
    const { tracker } = arrive({}, { index: 1, dialect: undefined, attempts: 1 })
    const cut = MemoryUpstream.batchAnswer({ end: "End", body: { text: "abcdefgh" }, chunks: 2 }, tracker)
    assert.strictEqual(cut.status, 200)
    assert.strictEqual(new TextDecoder().decode(cut.bytes), "{\"text\":\"")
    assert.deepInclude(tracker.snapshot(), { status: 200, chunks: 2, end: "ended" })
    const failed = MemoryUpstream.batchAnswer(
      { end: "ErrorSignal", body: {}, chunks: 0 },
      arrive({}, {
        index: 2,
        dialect: undefined,
        attempts: 0
      }).tracker
    )
    assert.strictEqual(failed.status, 500)
  })

  it("an error answer carries retry-after and the scenario's headers; a streamed write of done ends the record", () => {
    const arrival = arrive({}, { index: 1, dialect: undefined, attempts: 0 })
    const plan = Simulation.plan(Scenario.httpError({ status: 429, headers: { "x-a": "b" } }))
    const answer = MemoryUpstream.errorAnswer(plan, arrival)
    assert.deepStrictEqual(answer.headers, { "content-type": "application/json", "retry-after": "1", "x-a": "b" })
    assert.strictEqual(JSON.parse(new TextDecoder().decode(answer.bytes)).error.type, "rate_limit_error")
    const streamed = arrive({}, { index: 2, dialect: Dialects.openaiChat, attempts: 0 })
    const bytes = new Uint8Array(3)
    assert.isFalse(MemoryUpstream.written([{ bytes, event: "Chunk", partial: false }], streamed.tracker))
    assert.isTrue(MemoryUpstream.written([{ bytes, event: "Done", partial: false }], streamed.tracker))
    assert.deepInclude(streamed.tracker.snapshot(), { writes: 2, chunks: 1, end: "ended" })
  })
})
