import * as StreamedRequest from "@streamguard/kernel/ai/StreamedRequest"
import { assert, describe, it } from "vitest"

const request = (url: string, body?: unknown) => ({
  url,
  body: body === undefined ? { _tag: "Empty" } : {
    _tag: "Uint8Array",
    body: new TextEncoder().encode(typeof body === "string" ? body : JSON.stringify(body))
  }
})

describe("StreamedRequest", () => {
  it("a request is streamed by its JSON body's stream: true, or Gemini's streaming path", () => {
    assert.isTrue(StreamedRequest.isStreamed(request("https://x/v1/chat/completions", { stream: true })))
    assert.isFalse(StreamedRequest.isStreamed(request("https://x/v1/chat/completions", { stream: "yes" })))
    assert.isFalse(StreamedRequest.isStreamed(request("https://x/v1/chat/completions", "{")))
    assert.isFalse(StreamedRequest.isStreamed(request("https://x/v1/chat/completions")))
    assert.isTrue(StreamedRequest.isStreamed(request("https://x/v1/models/m:streamGenerateContent")))
  })

  it("a response is read event by event when the request streamed, it succeeded, and it is SSE or NDJSON", () => {
    assert.isTrue(StreamedRequest.readsEvents(true, 200, "text/event-stream"))
    assert.isFalse(StreamedRequest.readsEvents(false, 200, "text/event-stream"))
    assert.isFalse(StreamedRequest.readsEvents(true, 429, "text/event-stream"))
    assert.isFalse(StreamedRequest.readsEvents(true, 200, "application/json"))
  })

  it("the path is the URL's, with the client's query or else the URL's own", () => {
    assert.strictEqual(
      StreamedRequest.pathOf("https://x/v1/m:streamGenerateContent?alt=sse", ""),
      "/v1/m:streamGenerateContent?alt=sse"
    )
    assert.strictEqual(
      StreamedRequest.pathOf("https://x/v1/m:streamGenerateContent", "alt=sse"),
      "/v1/m:streamGenerateContent?alt=sse"
    )
  })

  it("the deadline is the earliest limit set among the fields, from the start; none when none is", () => {
    const limits: Partial<Record<StreamedRequest.Limited, number>> = { headers: 10_000, total: 5_000, request: 60_000 }
    const limitOf = (field: StreamedRequest.Limited) => limits[field]
    const streamed = StreamedRequest.deadline(limitOf, StreamedRequest.headerLimits(true), 1_000)!
    assert.strictEqual(streamed.field, "total")
    assert.strictEqual(streamed.limitMillis, 5_000)
    assert.strictEqual(streamed.remainingMillis(2_000), 4_000)
    assert.strictEqual(streamed.remainingMillis(9_000), 0)
    assert.deepStrictEqual(streamed.details(6_000), {
      limitMillis: 5_000,
      elapsedMillis: 5_000,
      chunks: 0,
      sinceLastEventMillis: 5_000,
      lastEvent: "none"
    })
    assert.strictEqual(StreamedRequest.deadline(limitOf, StreamedRequest.headerLimits(false), 0)?.field, "headers")
    assert.isUndefined(StreamedRequest.deadline(() => Infinity, StreamedRequest.wholeBodyLimits(false), 0))
  })
})
