import * as StreamedRequest from "@streamguard/kernel/ai/StreamedRequest"
import { assert, describe, it } from "vitest"

const json = (value: unknown) => new TextEncoder().encode(JSON.stringify(value))

describe("StreamedRequest", () => {
  it("a request is streamed by its JSON body's stream: true, or Gemini's streaming path", () => {
    assert.isTrue(StreamedRequest.isStreamed("https://x/v1/chat/completions", json({ stream: true })))
    assert.isFalse(StreamedRequest.isStreamed("https://x/v1/chat/completions", json({ stream: "yes" })))
    assert.isFalse(StreamedRequest.isStreamed("https://x/v1/chat/completions", new TextEncoder().encode("{")))
    assert.isFalse(StreamedRequest.isStreamed("https://x/v1/chat/completions", undefined))
    assert.isTrue(StreamedRequest.isStreamed("https://x/v1/models/m:streamGenerateContent", undefined))
  })

  it("the earliest limit set among the fields, none when none is", () => {
    const limits: Partial<Record<StreamedRequest.Limited, number>> = { headers: 10_000, total: 5_000, request: 60_000 }
    const limitOf = (field: StreamedRequest.Limited) => limits[field]
    assert.deepStrictEqual(StreamedRequest.earliest(limitOf, StreamedRequest.headerLimits(true)), {
      field: "total",
      limitMillis: 5_000
    })
    assert.deepStrictEqual(StreamedRequest.earliest(limitOf, StreamedRequest.headerLimits(false)), {
      field: "headers",
      limitMillis: 10_000
    })
    assert.isUndefined(StreamedRequest.earliest(() => Infinity, StreamedRequest.wholeBodyLimits(false)))
  })
})
