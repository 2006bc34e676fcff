import * as WireReader from "@streamguard/kernel/ai/WireReader"
import { anthropic } from "@streamguard/kernel/protocols/Anthropic"
import { openaiChat } from "@streamguard/kernel/protocols/OpenAiChat"
import type * as StreamEvent from "@streamguard/kernel/StreamEvent"
import { assert, describe, it } from "vitest"

const encoder = new TextEncoder()

/** Every wire event of `reads` and of the end, as tags, or the failure's tag. */
const read = (contentType: string, path: string, reads: ReadonlyArray<string>) => {
  const kinds = WireReader.makeKinds()
  const reader = WireReader.make(contentType, path, kinds)
  const events: Array<WireReader.WireEvent> = []
  for (const text of [...reads, undefined]) {
    const result = text === undefined ? reader.end() : reader.push(encoder.encode(text))
    if (WireReader.isFailure(result)) return { failure: result._tag, events, kinds }
    events.push(...result)
  }
  return { failure: undefined, events, kinds }
}

const tags = (events: ReadonlyArray<StreamEvent.StreamEvent<unknown>>) => events.map((event) => event._tag)

const chat = (text: string) => openaiChat.encode(openaiChat.textEvent(text))

describe("WireReader", () => {
  it("a body is a stream when it is SSE or NDJSON, whatever its parameters", () => {
    assert.isTrue(WireReader.isStreamBody("text/event-stream; charset=utf-8"))
    assert.isTrue(WireReader.isStreamBody("application/x-ndjson"))
    assert.isTrue(WireReader.isStreamBody("Application/NDJSON"))
    assert.isFalse(WireReader.isStreamBody("application/json"))
  })

  it("one event per decoded event, the read's bytes on the first, however reads cut them", () => {
    const text = chat("a") + chat("b") + chat("c") + "data: [DONE]\n\n"
    const whole = read("text/event-stream", "/v1/chat/completions", [text])
    assert.deepStrictEqual(tags(whole.events), ["Chunk", "Chunk", "Chunk", "Done"])
    assert.deepStrictEqual(whole.events.map((event) => event.bytes), [text.length, 0, 0, 0])
    const cut = read("text/event-stream", "/v1/chat/completions", [text.slice(0, 5), text.slice(5)])
    // The first read completes nothing: a keepalive (the upstream is alive), though not a ping.
    assert.deepStrictEqual(tags(cut.events), ["Keepalive", "Chunk", "Chunk", "Chunk", "Done"])
    assert.isFalse(cut.kinds.isPing(cut.events[0]!))
  })

  it("marks the provider's pings and its reasoning", () => {
    const ping = anthropic.encode(anthropic.ping())
    const thinking = anthropic.encode({
      _tag: "Chunk",
      value: { type: "content_block_delta", index: 0, delta: { type: "thinking_delta", thinking: "hmm" } },
      bytes: 0
    })
    const { events, kinds } = read("text/event-stream", "/v1/messages", [ping, thinking])
    assert.deepStrictEqual(tags(events), ["Keepalive", "Chunk"])
    assert.isTrue(kinds.isPing(events[0]!))
    const chunk = events[1]!
    assert.isTrue(chunk._tag === "Chunk" && kinds.isReasoning(chunk.value))
  })

  it("an unknown SSE or NDJSON body counts every event as content and ends at EOF", () => {
    const sse = read("text/event-stream", "/v1/other", ["data: 1\n\n: keep-alive\n\ndata: 2\n\n"])
    assert.deepStrictEqual(tags(sse.events), ["Chunk", "Keepalive", "Chunk", "Done"])
    assert.isTrue(sse.kinds.isPing(sse.events[1]!))
    const ndjson = read("application/x-ndjson", "/other", ["{\"a\":1}\n{\"a\"", ":2}\n\n"])
    assert.deepStrictEqual(tags(ndjson.events), ["Chunk", "Chunk", "Done"])
  })

  it("a known dialect's stream that ends without its end signal just ends; bad JSON is a failure", () => {
    assert.deepStrictEqual(tags(read("text/event-stream", "/v1/chat/completions", [chat("a")]).events), ["Chunk"])
    assert.strictEqual(read("text/event-stream", "/v1/chat/completions", ["data: {\n\n"]).failure, "ProtocolError")
  })

  it("hands on a read's bytes, nothing for an event that carries none or an error signal", () => {
    const bytes = encoder.encode("data: 1\n\n")
    assert.strictEqual(WireReader.bytesOf({ _tag: "Chunk", value: bytes, bytes: bytes.length }), bytes)
    assert.isUndefined(WireReader.bytesOf({ _tag: "Chunk", value: new Uint8Array(0), bytes: 0 }))
    assert.isUndefined(WireReader.bytesOf({ _tag: "Keepalive", value: undefined, bytes: 0 }))
    assert.isUndefined(
      WireReader.bytesOf({ _tag: "ErrorSignal", payload: {}, errorType: "x", message: "m", bytes: 0 })
    )
  })
})
