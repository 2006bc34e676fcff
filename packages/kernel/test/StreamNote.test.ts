import { StreamNote } from "@streamguard/kernel"
import { assert, describe, it } from "vitest"

const stream = { id: 1, labels: {}, startedAt: 0 }

describe("StreamNote", () => {
  it("names an observer's call by its step, with the outcome of a retry or an end", () => {
    assert.strictEqual(StreamNote.stepOf({ _tag: "started", stream }), "started")
    assert.strictEqual(StreamNote.stepOf({ _tag: "firstChunk", stream, timeToFirstChunkMillis: 5 }), "firstChunk")
    assert.strictEqual(
      StreamNote.stepOf({
        _tag: "retrying",
        stream,
        retrying: { attempt: 1, outcome: "connect_timeout", delayMillis: 1 }
      }),
      "retrying:connect_timeout"
    )
    const ended = {
      outcome: "done" as const,
      durationMillis: 1,
      timeToFirstChunkMillis: undefined,
      chunks: 0,
      keepalives: 0,
      bytes: 0,
      error: undefined
    }
    assert.strictEqual(StreamNote.stepOf({ _tag: "ended", stream, ended }), "ended:done")
  })
})
