/**
 * Gemini has no done signal: a stream is done when its body ends cleanly after a frame with a
 * `finishReason`. So a proxy that holds the connection open after that frame turns a finished
 * answer into a `ChunkTimeout`, at the chunk limit and not before: StreamGuard does not end at
 * the `finishReason` frame, since Gemini may still send frames after it (usage, a trailing part)
 * and ending early would cut them.
 */
import { assert, describe, it } from "@effect/vitest"
import { LlmClient } from "@streamguard/client"
import { Profiles } from "@streamguard/core"
import { Dialects } from "@streamguard/protocols"
import { Step } from "@streamguard/simulator"
import { TestUpstream, TimeTravel } from "@streamguard/testing"
import { Effect, Layer, Stream } from "effect"
import { HttpClientRequest } from "effect/http"

const request = HttpClientRequest.post("https://upstream.test/v1beta/models/m:streamGenerateContent?alt=sse").pipe(
  HttpClientRequest.bodyJsonUnsafe({ contents: [{ role: "user", parts: [{ text: "hi" }] }] })
)

const finished = Step.chunkPayload({
  candidates: [{ content: { role: "model", parts: [{ text: "!" }] }, finishReason: "STOP", index: 0 }]
})

const text = LlmClient.stream(request, { dialect: Dialects.gemini }).pipe(Stream.runCollect)

describe("Gemini's end", () => {
  it.effect("the body ending after finishReason is Done, at that moment", () =>
    Effect.gen(function*() {
      yield* TimeTravel.expectSuccess(text, { at: "1 second" })
    }).pipe(
      Effect.provide(Layer.merge(
        TestUpstream.layer([Step.chunk("hi"), Step.wait("1 second"), finished, Step.end], {
          batchDialect: "openaiChat"
        }),
        Profiles.chat
      ))
    ))

  it.effect("a connection held open after finishReason ends with ChunkTimeout at the chunk limit (30 s), not before", () =>
    Effect.gen(function*() {
      const error = yield* TimeTravel.expectTimeout(text, "ChunkTimeout", { at: "31 seconds" })
      assert.strictEqual(error.chunks, 2)
    }).pipe(
      Effect.provide(Layer.merge(
        TestUpstream.layer([Step.chunk("hi"), Step.wait("1 second"), finished, Step.stallForever]),
        Profiles.chat
      ))
    ))
})
