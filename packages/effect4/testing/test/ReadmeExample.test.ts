import { assert, describe, it } from "@effect/vitest"
import { LlmClient } from "@streamguard/client"
import { Profiles } from "@streamguard/core"
import { Dialects } from "@streamguard/protocols"
import { Step } from "@streamguard/simulator"
import { TestUpstream, TimeTravel } from "@streamguard/testing"
import type { Duration } from "effect"
import { Effect, Layer, Stream } from "effect"
import { HttpClientRequest } from "effect/http"

// The code under test: it asks a research question and returns the answer's text.
const research = (question: string) =>
  LlmClient.stream(
    HttpClientRequest.post("https://api.anthropic.com/v1/messages").pipe(
      HttpClientRequest.bodyJsonUnsafe({
        model: "claude-sonnet-4-5",
        max_tokens: 4096,
        stream: true,
        messages: [{ role: "user", content: question }]
      })
    ),
    { dialect: Dialects.anthropic }
  ).pipe(
    Stream.map((event) => Dialects.anthropic.text(event) ?? ""),
    Stream.mkString
  )

// The research timeline: a tool call for 60 s, thinking for 90 s, the answer for 30 s, with
// progress inside each phase (a chunk every 15 s, 18 s, then 5 s): 180 s in all.
const every = (gap: Duration.Input, n: number, text: (i: number) => string) =>
  Array.from({ length: n }, (_, i) => [Step.wait(gap), Step.chunk(text(i))]).flat()

const timeline = [
  ...every("15 seconds", 4, (i) => `[tool ${i}] `),
  ...every("18 seconds", 5, (i) => `[thinking ${i}] `),
  ...every("5 seconds", 6, (i) => `answer ${i}. `),
  Step.done
]

describe("the research timeline, in a few milliseconds", () => {
  it.effect("completes under the research profile (chunk 30 s, no total) at 180 s", () =>
    Effect.gen(function*() {
      const answer = yield* TimeTravel.expectSuccess(research("Why is the sky blue?"), { at: "180 seconds" })
      assert.include(answer, "[tool 0] ")
      assert.include(answer, "answer 5. ")
    }).pipe(Effect.provide(Layer.merge(TestUpstream.layer(timeline), Profiles.research))))

  it.effect("dies under the chat profile (total 120 s) with TotalTimeout at exactly 120 s", () =>
    Effect.gen(function*() {
      const error = yield* TimeTravel.expectTimeout(research("Why is the sky blue?"), "TotalTimeout", {
        at: "120 seconds"
      })
      // 4 tool chunks by 60 s, then thinking chunks at 78, 96 and 114 s.
      assert.strictEqual(error.chunks, 7)
      // The upstream saw the client close the connection at that moment.
      const [exchange] = yield* TestUpstream.exchanges
      assert.strictEqual(exchange?.record.end, "client_closed")
      assert.strictEqual(exchange?.record.closedAt, 120_000)
    }).pipe(Effect.provide(Layer.merge(TestUpstream.layer(timeline), Profiles.chat))))
})
