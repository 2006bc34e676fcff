import { assert, describe, it } from "@effect/vitest"
import { Scenario, Simulation } from "@streamguard/simulator"
import { Effect, Fiber, Stream } from "effect"
import { TestClock } from "effect/testing"
import * as fs from "node:fs"
import * as path from "node:path"
import { fileURLToPath } from "node:url"

/** The recorded provider streams in the repository's fixtures/transcripts. */
const transcripts = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../../../fixtures/transcripts")

const recorded = (name: string) => fs.readFileSync(path.join(transcripts, name), "utf8").replaceAll("\r\n", "\n")

const simulated = (dialect: Simulation.SimDialect, options: Partial<Simulation.Request> = {}) =>
  Effect.gen(function*() {
    const fiber = yield* Simulation.stream(Scenario.steady({ chunks: 4 }), { dialect, requestId: 1, ...options }).pipe(
      Stream.decodeText(),
      Stream.mkString,
      Effect.forkChild
    )
    yield* TestClock.adjust("1 minute")
    return yield* Fiber.join(fiber)
  })

/** SSE event names in order, repeated runs collapsed (`delta, delta, delta` -> `delta`). */
const eventNames = (text: string) =>
  [...text.matchAll(/^event: ?(.*)$/gm)].map((match) => match[1]).filter((name, i, all) => name !== all[i - 1])

const dataObjects = (text: string): Array<any> =>
  [...text.matchAll(/^data: ?(.*)$/gm)].map((match) => match[1]!).filter((data) => data !== "[DONE]").map((data) =>
    JSON.parse(data)
  )

const keys = (value: object) => Object.keys(value).sort()

describe("the simulator's bytes against real recordings", () => {
  it.effect("anthropic: the same event sequence as a recorded Messages stream", () =>
    Effect.gen(function*() {
      const sim = yield* simulated("anthropic")
      assert.deepStrictEqual(eventNames(sim), eventNames(recorded("anthropic/text-with-ping.txt")))
    }))

  it.effect("openaiResponses: the same event sequence as a recorded Responses stream, with sequence numbers", () =>
    Effect.gen(function*() {
      const sim = yield* simulated("openaiResponses")
      assert.deepStrictEqual(eventNames(sim), eventNames(recorded("openai-responses/text.txt")))
      const numbers = dataObjects(sim).map((event) => event.sequence_number)
      assert.deepStrictEqual(numbers, numbers.map((_, i) => i))
    }))

  it.effect("openaiChat: role opener, content, finish chunk, usage chunk and [DONE], keyed like the recording", () =>
    Effect.gen(function*() {
      const sim = yield* simulated("openaiChat", { includeUsage: true })
      const real = recorded("openai-chat/text-usage-chunk.txt")
      const kind = (chunk: any) =>
        chunk.choices.length === 0 ?
          "usage" :
          chunk.choices[0].finish_reason !== null ?
          "finish" :
          chunk.choices[0].delta.role !== undefined ?
          "role" :
          "content"
      const kinds = (text: string) => dataObjects(text).map(kind).filter((name, i, all) => name !== all[i - 1])
      assert.deepStrictEqual(kinds(sim), kinds(real))
      assert.isTrue(sim.endsWith("data: [DONE]\n\n") && real.endsWith("data: [DONE]\n\n"))
      const realKeys = new Set(keys(dataObjects(real)[1]))
      for (const key of keys(dataObjects(sim)[1])) assert.isTrue(realKeys.has(key), key)
      assert.deepStrictEqual(keys(dataObjects(sim).at(-1).usage), [
        "completion_tokens",
        "prompt_tokens",
        "total_tokens"
      ])
    }))

  it.effect("ollama: content lines and the done:true line carry the recorded fields", () =>
    Effect.gen(function*() {
      const sim = (yield* simulated("ollama")).trim().split("\n").map((line) => JSON.parse(line))
      const real = recorded("ollama/chat-ndjson.txt").trim().split("\n").map((line) => JSON.parse(line))
      assert.deepStrictEqual(keys(sim[0]), keys(real[0]))
      assert.deepStrictEqual(keys(sim.at(-1)), keys(real.at(-1)))
      assert.isTrue(sim.at(-1).done)
    }))

  it.effect("mcp: every frame is `event: message` and the last is the JSON-RPC result", () =>
    Effect.gen(function*() {
      const sim = yield* simulated("mcp")
      const real = recorded("mcp/tools-call-ping-log-result.txt")
      assert.deepStrictEqual(eventNames(sim), eventNames(real))
      const last = dataObjects(sim).at(-1)
      const realLast = dataObjects(real).at(-1)
      assert.deepStrictEqual(keys(last), keys(realLast))
      assert.strictEqual(last.result.content[0].type, realLast.result.content[0].type)
    }))
})
