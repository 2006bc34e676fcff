import { assert, describe, it } from "@effect/vitest"
import { LlmClient } from "@streamguard/client"
import { Profiles } from "@streamguard/core"
import { Dialects } from "@streamguard/protocols"
import { Scenario } from "@streamguard/simulator"
import { TestUpstream, TimeTravel } from "@streamguard/testing"
import { Effect, Layer, Schedule, Stream } from "effect"
import { HttpClientRequest } from "effect/http"

// The first attempt of each call gets a 503 with retry-after: 2; the next, two chunks 1 s apart.
const flaky = (request: TestUpstream.Request) =>
  request.attempt === 1
    ? Scenario.httpError({ status: 503, retryAfter: 2 })
    : Scenario.steady({ chunks: 2, gap: "1 second", jitter: 0 })

// The code under test retries: without a `retry` schedule LlmClient makes one attempt.
const answer = LlmClient.stream(
  HttpClientRequest.post("https://api.openai.com/v1/chat/completions").pipe(
    HttpClientRequest.bodyJsonUnsafe({ model: "gpt-4o-mini", stream: true, messages: [] })
  ),
  { dialect: Dialects.openaiChat, retry: Schedule.recurs(3) }
).pipe(
  Stream.map((chunk) => Dialects.openaiChat.text(chunk) ?? ""),
  Stream.mkString
)

describe("a call that is retried", () => {
  it.effect("waits the 503's retry-after (2 s), then streams: done at 4 s of virtual time", () =>
    Effect.gen(function*() {
      yield* TimeTravel.expectSuccess(answer, { at: "4 seconds" })
      // Each exchange is the request the upstream got and what it did with it.
      const exchanges = yield* TestUpstream.exchanges
      assert.deepStrictEqual(
        exchanges.map(({ record, request }) => [request.attempt, record.status, record.startedAt, record.end]),
        [[1, 503, 0, "ended"], [2, 200, 2000, "ended"]]
      )
    }).pipe(Effect.provide(Layer.merge(TestUpstream.layer(flaky), Profiles.chat))))
})
