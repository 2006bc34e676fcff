import { assert, describe, it } from "@effect/vitest"
import { StreamEvent } from "@streamguard/core-effect3"
import { Dialects } from "@streamguard/protocols-effect3"
import { ScenarioSpec, Simulation } from "@streamguard/simulator-effect3"
import { Chunk, Effect, Either, Stream } from "effect"
import * as SoakTraffic from "../../src/soak/SoakTraffic.js"
import { SseReader } from "../../src/soak/SseReader.js"

const dialects = ["openaiChat", "openaiResponses", "anthropic"] as const

// The simulator's own bytes for a scenario of numbered words, with no waits.
const bytesOf = (dialect: (typeof dialects)[number], chunks: number) =>
  Effect.map(
    Stream.runCollect(
      Simulation.stream(
        Either.getOrThrow(ScenarioSpec.fromModel(SoakTraffic.model({ chunks, gapMillis: 0 }))),
        { dialect }
      )
    ),
    (parts) => Buffer.concat(Chunk.toArray(parts)).toString("utf8")
  )

// Fed in pieces that cut lines (and the CRLF-free frames) anywhere.
const read = (text: string, piece: number): SseReader => {
  const reader = new SseReader()
  for (let i = 0; i < text.length; i += piece) reader.feed(text.slice(i, i + piece))
  return reader
}

describe("SseReader", () => {
  for (const dialect of dialects) {
    it.effect(`reads ${dialect}'s content and done, however the body is cut`, () =>
      Effect.gen(function*() {
        const text = yield* bytesOf(dialect, 12)
        for (const piece of [1, 7, text.length]) {
          const reader = read(text, piece)
          assert.strictEqual(reader.content, SoakTraffic.words(12))
          assert.strictEqual(reader.chunks, 12)
          assert.isTrue(reader.done)
          assert.isUndefined(reader.error)
        }
      }))

    it.effect(`${dialect}: a body cut before its done is not done`, () =>
      Effect.gen(function*() {
        const text = yield* bytesOf(dialect, 3)
        const withoutDone = dialect === "openaiChat"
          ? text.slice(0, text.indexOf("data: [DONE]"))
          : text.slice(0, text.lastIndexOf("event: "))
        assert.isFalse(read(withoutDone, 5).done)
      }))

    it(`${dialect}: the gateway's in-band error event gives its type, and keep-alives are counted`, () => {
      const encoding = Dialects.byName[dialect]
      const keepalive = encoding.encode(StreamEvent.Keepalive({ bytes: 0 }))
      const error = encoding.encode(encoding.errorEvent({ type: "chunk_timeout", message: "no chunk for 30 s" }))
      const reader = read(keepalive + keepalive + error, 3)
      assert.strictEqual(reader.error, "chunk_timeout")
      assert.isFalse(reader.done)
      assert.strictEqual(reader.comments, 2)
    })
  }
})
