import { assert, describe, it } from "@effect/vitest"
import { Simulation, Transcript } from "@streamguard/simulator"
import { Clock, Effect, Fiber, Stream } from "effect"
import { TestClock } from "effect/testing"

const sse = "data: {\"a\":1}\n\n: ping\r\n\r\nevent: x\ndata: {\"b\":2}\n\n"

describe("Transcript", () => {
  it("events cuts SSE after each blank line and NDJSON after each line; joined, they are the bytes", () => {
    assert.deepStrictEqual(Transcript.events(sse), [
      "data: {\"a\":1}\n\n",
      ": ping\r\n\r\n",
      "event: x\ndata: {\"b\":2}\n\n"
    ])
    const ndjson = "{\"a\":1}\n{\"b\":2}\n{\"c\":3}"
    assert.deepStrictEqual(Transcript.events(new TextEncoder().encode(ndjson)), [
      "{\"a\":1}\n",
      "{\"b\":2}\n",
      "{\"c\":3}"
    ])
  })

  it.effect("replay writes the recorded events as they are, one per gap, with no opening and no done of its own", () =>
    Effect.gen(function*() {
      const fiber = yield* Simulation.frames(Transcript.replay(sse, { gaps: ["1 second"], gap: "2 seconds" }), {
        dialect: "openaiChat"
      }).pipe(
        Stream.mapEffect((frame) =>
          Effect.map(Clock.currentTimeMillis, (now) => [new TextDecoder().decode(frame.bytes), now] as const)
        ),
        Stream.runCollect,
        Effect.forkChild
      )
      yield* TestClock.adjust("1 minute")
      assert.deepStrictEqual(yield* Fiber.join(fiber), [
        ["data: {\"a\":1}\n\n", 1000],
        [": ping\r\n\r\n", 3000],
        ["event: x\ndata: {\"b\":2}\n\n", 5000]
      ])
    }))
})
