import * as Dialects from "@streamguard/kernel/protocols/Dialects"
import * as Scenario from "@streamguard/kernel/simulator/Scenario"
import type { Collected, Frame, Request, SimDialect } from "@streamguard/kernel/simulator/Simulation"
import * as Simulation from "@streamguard/kernel/simulator/Simulation"
import * as Step from "@streamguard/kernel/simulator/Step"
import * as Timeline from "@streamguard/kernel/simulator/Timeline"
import { assert, describe, it } from "vitest"
import { FakeClock } from "../fixtures/FakeClock.js"
import { decodeOk } from "../protocols/fixtures/wire.js"

/** A play on a fake clock: every frame with the time it was emitted at, and how it ended. */
const play = (scenario: Scenario.Scenario, request: Request) => {
  const clock = new FakeClock()
  const frames: Array<Frame & { readonly at: number }> = []
  const ends: Array<string> = []
  const stop = Timeline.drive(Timeline.frames(scenario, request, clock), clock, {
    emit: (values) => {
      for (const frame of values) frames.push({ ...frame, at: clock.now() })
      return true
    },
    reset: () => ends.push("reset"),
    end: () => ends.push("end")
  })
  return { clock, frames, ends, stop }
}

/** What a client of the dialect reads from the frames: the content text of each chunk. */
const contentOf = (dialect: SimDialect, frames: ReadonlyArray<Frame>): Array<string> => {
  const decoded = decodeOk(Dialects.byName[dialect], frames.map((frame) => frame.bytes))
  return decoded.flatMap((event) => {
    if (event._tag !== "Chunk") return []
    const text = Dialects.byName[dialect].text(event.value)
    return text === undefined || text === "" ? [] : [text]
  })
}

const dialects: ReadonlyArray<SimDialect> = ["openaiChat", "openaiResponses", "anthropic", "ollama", "gemini"]

describe("Timeline", () => {
  it("renders a scenario in every dialect: a client decodes its tokens as the content it sends, then done", () => {
    const scenario = Scenario.steady({ chunks: 5, gap: 0 })
    for (const dialect of dialects) {
      const { ends, frames } = play(scenario, { dialect })
      assert.deepStrictEqual(ends, ["end"], dialect)
      assert.strictEqual(contentOf(dialect, frames).join(""), Simulation.text(scenario), dialect)
      assert.strictEqual(contentOf(dialect, frames).length, Simulation.chunkCount(scenario), dialect)
    }
  })

  it("sleeps on the clock it is given: each frame leaves at its millisecond, and nothing before", () => {
    const scenario = Scenario.script([Step.chunk("Hel"), Step.wait(100), Step.chunk("lo"), Step.wait("2s"), Step.done])
    const { clock, ends, frames } = play(scenario, { dialect: "openaiChat" })
    const before = frames.length
    assert.deepStrictEqual(contentOf("openaiChat", frames), ["Hel"])
    clock.advance(99)
    assert.strictEqual(frames.length, before)
    clock.advance(1)
    assert.deepStrictEqual(contentOf("openaiChat", frames), ["Hel", "lo"])
    assert.strictEqual(frames.at(-1)?.at, 100)
    clock.advance(1_999)
    assert.deepStrictEqual(ends, [])
    clock.advance(1)
    assert.deepStrictEqual(ends, ["end"])
    assert.strictEqual(frames.at(-1)?.at, 2_100)
    assert.strictEqual(clock.sleeps.size, 0)
  })

  it("a wait longer than a Node timer holds is asked of the clock in pieces, and ends at its millisecond", () => {
    const days30 = 30 * 86_400_000
    const { clock, ends } = play(Scenario.script([Step.wait(days30), Step.end], { opening: false }), {
      dialect: "openaiChat"
    })
    const asked: Array<number> = []
    for (const sleep of clock.sleeps) asked.push(sleep.at - clock.time)
    assert.deepStrictEqual(asked, [2 ** 31 - 1])
    clock.advance(days30 - 1)
    assert.deepStrictEqual(ends, [])
    clock.advance(1)
    assert.deepStrictEqual(ends, ["end"])
  })

  it("stopping a play cancels its sleep, and nothing reaches the sink after it", () => {
    const { clock, ends, frames, stop } = play(Scenario.script([Step.wait(50), Step.chunk("late"), Step.done]), {
      dialect: "anthropic"
    })
    const before = frames.length
    stop()
    assert.strictEqual(clock.cancelled, 1)
    clock.advance(1_000)
    assert.strictEqual(frames.length, before)
    assert.deepStrictEqual(ends, [])
  })

  it("a reset ends the play with the sink's reset; a stall never ends", () => {
    assert.deepStrictEqual(play(Scenario.resetMid({ after: 1, gap: 0 }), { dialect: "openaiChat" }).ends, ["reset"])
    const stalled = play(Scenario.stallAfter({ after: 1, gap: 0 }), { dialect: "openaiChat" })
    stalled.clock.advance(3_600_000)
    assert.deepStrictEqual(stalled.ends, [])
    assert.strictEqual(stalled.clock.sleeps.size, 0)
  })

  it("a sink that is full holds the play until it resumes it", () => {
    const clock = new FakeClock()
    const resumes: Array<() => void> = []
    let emits = 0
    let ended = false
    Timeline.drive(Timeline.frames(Scenario.steady({ chunks: 2, gap: 0 }), { dialect: "ollama" }, clock), clock, {
      emit: (_, resume) => {
        emits++
        resumes.push(resume)
        return false
      },
      reset: () => assert.fail("reset"),
      end: () => {
        ended = true
      }
    })
    assert.strictEqual(emits, 1)
    while (!ended) resumes.shift()!()
    assert.isAbove(emits, 2)
  })

  it("slow-drip writes each event in pieces of `bytes`, `every` apart", () => {
    const { clock, frames } = play(Scenario.slowDrip({ chunks: 1, gap: 0, bytes: 4, every: 10 }), {
      dialect: "openaiChat"
    })
    clock.advance(60_000)
    assert.isTrue(frames.every((frame) => frame.bytes.length <= 4))
    assert.deepStrictEqual(frames.slice(0, 3).map((frame) => frame.at), [10, 20, 30])
    assert.deepStrictEqual(contentOf("openaiChat", frames), [Simulation.text(Scenario.slowDrip({ chunks: 1 }))])
  })

  it("collects a non-streaming answer after the scenario's waits", () => {
    const clock = new FakeClock()
    const answer: { collected?: Collected } = {}
    Timeline.drive(
      Timeline.collect(Scenario.steady({ chunks: 3, gap: 10, jitter: 0 }), { dialect: "openaiChat" }, clock),
      clock,
      {
        emit: () => true,
        reset: () => assert.fail("reset"),
        end: (value) => {
          answer.collected = value
        }
      }
    )
    clock.advance(29)
    assert.strictEqual(answer.collected, undefined)
    clock.advance(1)
    assert.strictEqual(answer.collected?.end, "Done")
    assert.strictEqual(answer.collected?.chunks, 3)
    assert.include(JSON.stringify(answer.collected?.body), Simulation.text(Scenario.steady({ chunks: 3 })))
  })

  it("plans an HTTP error and writes its body in the request's dialect", () => {
    const plan = Simulation.plan(Scenario.httpError({ status: 429, delay: "1s" }))
    assert.deepStrictEqual(plan, { status: 429, retryAfter: 1, headers: 1_000, extraHeaders: {}, body: undefined })
    assert.deepStrictEqual(JSON.parse(Simulation.errorBody(plan, { dialect: "anthropic" })).type, "error")
    assert.strictEqual(Simulation.plan(Scenario.steady()).headers, "now")
  })
})
