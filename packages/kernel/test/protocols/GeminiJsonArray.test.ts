import * as Gemini from "@streamguard/kernel/protocols/Gemini"
import * as StreamEvent from "@streamguard/kernel/StreamEvent"
import { assert, describe, it } from "vitest"
import { cutAt, decodeFailure, decodeOk, encoder, randomCuts, readTranscript, singleBytes } from "./fixtures/wire.js"

const frame = (text: string, finishReason?: string): Gemini.GenerateContentResponse => ({
  candidates: [{ content: { role: "model", parts: [{ text }] }, index: 0, ...(finishReason ? { finishReason } : {}) }]
})

/** A stream in the JSON-array form, as `Gemini.jsonArray` writes it. */
const arrayOf = (frames: ReadonlyArray<Gemini.GenerateContentResponse>): Uint8Array =>
  encoder.encode(
    frames.map((value, i) => Gemini.jsonArray.element(StreamEvent.Chunk({ value, bytes: 0 }), i === 0)).join("") +
      Gemini.jsonArray.close
  )

describe("Gemini without alt=sse: one JSON array, read element by element", () => {
  it("the recorded array decodes the same whole, byte by byte and cut at random", () => {
    const bytes = readTranscript("gemini/json-array-no-alt-sse.txt")
    const whole = decodeOk(Gemini.gemini, [bytes])
    assert.deepStrictEqual(whole.map((event) => event._tag), ["Chunk", "Chunk", "Done"])
    for (
      const pieces of [
        singleBytes(bytes),
        ...[1, 2, 3].map((seed) => cutAt(bytes, randomCuts(bytes.length, seed, 9)))
      ]
    ) {
      assert.deepStrictEqual(decodeOk(Gemini.gemini, pieces), whole)
    }
  })

  it("what jsonArray writes decodes back to the same payloads, braces and quotes in text included", () => {
    const frames = [frame("a } tricky \" [text]"), frame(" \\\\ and more"), frame("", "STOP")]
    const events = decodeOk(Gemini.gemini, singleBytes(arrayOf(frames)))
    assert.deepStrictEqual(events.map((event) => event._tag), ["Chunk", "Chunk", "Keepalive", "Done"])
    assert.deepStrictEqual(events.slice(0, 3).map((event) => (event as { value: unknown }).value), frames)
  })

  it("each element is decoded when it completes, before the array ends", () => {
    const bytes = arrayOf([frame("first"), frame("second", "STOP")])
    const firstEnds = new TextDecoder().decode(bytes).indexOf("\n,\r\n")
    const decoder = Gemini.gemini.decoder()
    const out: Array<StreamEvent.StreamEvent<Gemini.GenerateContentResponse>> = []
    assert.isUndefined(decoder.push(bytes.subarray(0, firstEnds), out))
    assert.deepStrictEqual(out.map((event) => event._tag), ["Chunk"])
  })

  it("an element over maxEventBytes fails with EventTooLarge before more than the limit is held", () => {
    const bytes = arrayOf([frame("x".repeat(5_000)), frame("y", "STOP")])
    const decoder = Gemini.gemini.decoder({ maxEventBytes: 1_000 })
    const out: Array<StreamEvent.StreamEvent<Gemini.GenerateContentResponse>> = []
    let failedAt = -1
    for (let i = 0; i < bytes.length; i += 100) {
      const failure = decoder.push(bytes.subarray(i, i + 100), out)
      if (failure !== undefined) {
        assert.strictEqual(failure._tag, "EventTooLarge")
        failedAt = i
        break
      }
    }
    // Fails in the read that crosses the limit (the element starts at byte 1).
    assert.isAtLeast(failedAt, 900)
    assert.isAtMost(failedAt, 1_000)
  })

  it("a body that is neither SSE nor an array of objects fails with a ProtocolError", () => {
    assert.strictEqual(decodeFailure(Gemini.gemini, [encoder.encode("[1, 2]")])._tag, "ProtocolError")
  })
})
