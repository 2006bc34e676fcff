import * as StreamParts from "@streamguard/kernel/ai/StreamParts"
import { assert, describe, it } from "vitest"

describe("StreamParts", () => {
  it("deltas, whole tool calls and results and files are content; starts, ends, metadata and finish are not", () => {
    for (const type of ["text-delta", "reasoning-delta", "tool-params-delta", "tool-call", "tool-result", "file"]) {
      assert.isTrue(StreamParts.isContent({ type }), type)
    }
    for (
      const type of ["text-start", "text-end", "reasoning-start", "response-metadata", "source", "finish", "error"]
    ) {
      assert.isFalse(StreamParts.isContent({ type }), type)
    }
  })

  it("a part is a Chunk when it is content, else a Keepalive, each carrying it; the end is Done", () => {
    const delta = { type: "text-delta", delta: "a" }
    const start = { type: "text-start" }
    assert.deepStrictEqual(StreamParts.toEvent(delta), { _tag: "Chunk", value: delta, bytes: 0 })
    assert.deepStrictEqual(StreamParts.toEvent(start), { _tag: "Keepalive", value: start, bytes: 0 })
    assert.strictEqual(StreamParts.partOf(StreamParts.toEvent(start)), start)
    assert.isUndefined(StreamParts.partOf(StreamParts.end))
  })
})
