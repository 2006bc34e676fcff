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
})
