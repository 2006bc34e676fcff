import { assert, describe, it } from "@effect/vitest"
import { ClientError, LlmClient } from "@streamguard/client"
import { GuardError, Profiles, RequestProfile, StreamObserver, TimeoutError, TimeoutPolicy } from "@streamguard/core"
import type { Dialect } from "@streamguard/protocols"
import { Dialects } from "@streamguard/protocols"
import { Scenario, Step } from "@streamguard/simulator"
import { TestUpstream, TimeTravel } from "@streamguard/testing"
import { Duration, Effect, Layer, Schedule, Stream } from "effect"
import { HttpClientRequest } from "effect/http"

const paths: Record<string, string> = {
  openaiChat: "/v1/chat/completions",
  openaiResponses: "/v1/responses",
  anthropic: "/v1/messages",
  ollama: "/api/chat",
  mcp: "/mcp",
  gemini: "/v1beta/models/m:streamGenerateContent"
}

const requestFor = (dialect: string, stream = true) =>
  HttpClientRequest.post(`https://upstream.test${paths[dialect]}`).pipe(
    HttpClientRequest.bodyJsonUnsafe(
      dialect === "mcp"
        // A tools/call that asks for progress: only progress notifications are content.
        ? { jsonrpc: "2.0", id: 1, method: "tools/call", params: { name: "m", _meta: { progressToken: 1 } } }
        : { model: "m", stream, messages: [{ role: "user", content: "Hi" }] }
    )
  )

const dialects: ReadonlyArray<Dialect.Dialect<any>> = [
  Dialects.openaiChat,
  Dialects.openaiResponses,
  Dialects.anthropic,
  Dialects.ollama,
  Dialects.mcp,
  Dialects.gemini
]

/** The assistant text of a streamed answer (MCP carries it in progress notifications). */
const textOf = <A>(dialect: Dialect.Dialect<A>) => (values: ReadonlyArray<A>) =>
  values.map((value) => dialect.text(value)).join("")

const streamText = <A>(dialect: Dialect.Dialect<A>, options: Partial<LlmClient.StreamOptions<A>> = {}) =>
  LlmClient.stream(requestFor(dialect.name), { dialect, ...options }).pipe(
    Stream.runCollect,
    Effect.map(textOf(dialect))
  )

const onlyExchange = Effect.map(TestUpstream.exchanges, (all) => {
  assert.strictEqual(all.length, 1)
  return all[0]!
})

describe("TestUpstream: the behaviour table through LlmClient, under TestClock", () => {
  for (const dialect of dialects) {
    describe(dialect.name, () => {
      it.effect("stream, done signal: the content arrives, the call ends at the last chunk (3 s), the answer ended", () =>
        Effect.gen(function*() {
          const text = yield* TimeTravel.expectSuccess(streamText(dialect), { at: "3 seconds" })
          assert.strictEqual(text, "Streams end in")
          const { record, request } = yield* onlyExchange
          assert.strictEqual(record.end, "ended")
          assert.strictEqual(record.finishedAt, 3000)
          assert.strictEqual(record.chunks, 3)
          assert.isTrue(request.stream)
          assert.strictEqual(request.dialect, dialect.name)
        }).pipe(
          Effect.provide(
            Layer.merge(TestUpstream.layer(Scenario.steady({ chunks: 3, gap: "1 second", jitter: 0 })), Profiles.chat)
          )
        ))

      it.effect("stream, error signal: fails with UpstreamErrorSignal at the moment it arrives (1 s)", () =>
        Effect.gen(function*() {
          const error = yield* TimeTravel.expectFailure(streamText(dialect), "UpstreamErrorSignal", { at: "1 second" })
          assert.instanceOf(error, GuardError.UpstreamErrorSignal)
          assert.strictEqual(error.chunks, 1)
          const { record } = yield* onlyExchange
          assert.strictEqual(record.end, "ended")
        }).pipe(Effect.provide(Layer.merge(
          TestUpstream.layer([Step.chunk("a"), Step.wait("1 second"), Step.error({ errorType: "overloaded" })]),
          Profiles.chat
        ))))

      it.effect("stream, a chunk before the chunk timeout resets it: two gaps of 30 s - 1 ms complete at 59 998 ms", () =>
        Effect.gen(function*() {
          const text = yield* TimeTravel.expectSuccess(streamText(dialect), { at: "59998 millis" })
          assert.strictEqual(text, "ab")
        }).pipe(Effect.provide(Layer.merge(
          TestUpstream.layer([
            Step.wait("29999 millis"),
            Step.chunk("a"),
            Step.wait("29999 millis"),
            Step.chunk("b"),
            Step.done
          ]),
          Profiles.chat
        ))))

      it.effect("stream, no chunk within the chunk timeout: ChunkTimeout at exactly 30 s, the upstream sees the close then", () =>
        Effect.gen(function*() {
          const error = yield* TimeTravel.expectTimeout(streamText(dialect), "ChunkTimeout", { at: "30 seconds" })
          assert.instanceOf(error, TimeoutError.ChunkTimeout)
          assert.strictEqual(error.limitMillis, 30_000)
          assert.strictEqual(error.chunks, 3)
          const { record } = yield* onlyExchange
          assert.strictEqual(record.end, "client_closed")
          assert.strictEqual(record.closedAt, 30_000)
          assert.isTrue(record.stoppedAfterClose)
        }).pipe(
          Effect.provide(Layer.merge(TestUpstream.layer(Scenario.stallAfter({ after: 3, gap: 0 })), Profiles.chat))
        ))
    })
  }

  describe("batch", () => {
    const batch = LlmClient.batch(requestFor("openaiChat", false))

    it.effect("response complete: the whole answer when the script ends (2 s), the connection released then", () =>
      Effect.gen(function*() {
        const response = yield* TimeTravel.expectSuccess(batch, { at: "2 seconds" })
        assert.strictEqual(response.status, 200)
        assert.strictEqual(JSON.parse(response.text).choices[0].message.content, "Hello")
        const { record, request } = yield* onlyExchange
        assert.isFalse(request.stream)
        assert.strictEqual(record.end, "ended")
        assert.strictEqual(record.finishedAt, 2000)
      }).pipe(Effect.provide(Layer.merge(
        TestUpstream.layer([Step.wait("2 seconds"), Step.chunk("Hello"), Step.done]),
        Profiles.batch
      ))))

    it.effect("response error: an HTTP 400 fails at once with UpstreamHttpError and the provider's error type", () =>
      Effect.gen(function*() {
        const error = yield* TimeTravel.expectFailure(batch, "UpstreamHttpError", { at: 0 })
        assert.instanceOf(error, ClientError.UpstreamHttpError)
        assert.strictEqual(error.status, 400)
        assert.strictEqual(error.providerErrorType, "invalid_request_error")
      }).pipe(Effect.provide(Layer.merge(TestUpstream.layer(Scenario.httpError({ status: 400 })), Profiles.batch))))

    it.effect("standard request timeout: an answer slower than 60 s fails with RequestTimeout at 60 s, closed then", () =>
      Effect.gen(function*() {
        const error = yield* TimeTravel.expectTimeout(batch, "RequestTimeout", { at: "60 seconds" })
        assert.strictEqual(error.limitMillis, 60_000)
        const { record } = yield* onlyExchange
        assert.strictEqual(record.end, "client_closed")
        assert.strictEqual(record.closedAt, 60_000)
      }).pipe(Effect.provide(Layer.merge(
        TestUpstream.layer([Step.wait("61 seconds"), Step.chunk("late"), Step.done]),
        Profiles.batch
      ))))
  })
})

describe("TestUpstream: retries", () => {
  const flaky = (request: TestUpstream.Request) =>
    request.attempt === 1
      ? Scenario.httpError({ status: 503, retryAfter: 2 })
      : Scenario.steady({ chunks: 2, gap: "1 second", jitter: 0 })

  it.effect("a 503 with retry-after: 2, then success, is retried after exactly 2 s of virtual time", () =>
    Effect.gen(function*() {
      const text = yield* TimeTravel.expectSuccess(
        streamText(Dialects.openaiChat, { retry: Schedule.recurs(3) }),
        { at: "4 seconds" }
      )
      assert.strictEqual(text, "Streams end")
      const exchanges = yield* TestUpstream.exchanges
      assert.deepStrictEqual(
        exchanges.map(({ record, request }) => [request.call, request.attempt, record.status, record.startedAt]),
        [[1, 1, 503, 0], [1, 2, 200, 2000]]
      )
      const recorder = yield* StreamObserver.Recorder
      const retries = (yield* recorder.calls).flatMap((call) => call._tag === "retrying" ? [call.retrying] : [])
      assert.deepStrictEqual(retries, [{ attempt: 1, outcome: "upstream_http_error", delayMillis: 2000 }])
    }).pipe(Effect.provide(Layer.mergeAll(TestUpstream.layer(flaky), Profiles.chat, StreamObserver.layerTest))))

  it.effect("without retry, the 503 fails the stream at once with its status and retry-after", () =>
    Effect.gen(function*() {
      const error = yield* TimeTravel.expectFailure(streamText(Dialects.openaiChat), "UpstreamHttpError", { at: 0 })
      assert.strictEqual(error.status, 503)
      assert.strictEqual(error.retryAfterMillis, 2000)
    }).pipe(Effect.provide(Layer.merge(TestUpstream.layer(flaky), Profiles.chat))))

  it.effect("no retry starts that would end past total: a retry-after beyond chat's 120 s fails with the 503", () =>
    Effect.gen(function*() {
      const error = yield* TimeTravel.expectFailure(
        streamText(Dialects.openaiChat, { retry: Schedule.recurs(3) }),
        "UpstreamHttpError",
        { at: 0 }
      )
      assert.strictEqual(error.retryAfterMillis, 121_000)
      assert.strictEqual((yield* TestUpstream.exchanges).length, 1)
    }).pipe(Effect.provide(Layer.merge(
      TestUpstream.layer(Scenario.httpError({ status: 503, retryAfter: 121 })),
      Profiles.chat
    ))))

  it.effect("a reset before the response is retried; a reset mid-stream is not (content was delivered)", () =>
    Effect.gen(function*() {
      const error = yield* TimeTravel.expectFailure(
        streamText(Dialects.anthropic, { retry: Schedule.spaced("1 second") }),
        "TransportError",
        { at: "2 seconds" }
      )
      assert.strictEqual(error.reason, "reset")
      assert.strictEqual(error.stage, "response")
      const exchanges = yield* TestUpstream.exchanges
      assert.deepStrictEqual(exchanges.map(({ record }) => [record.end, record.startedAt]), [
        ["reset", 0],
        ["reset", 1000]
      ])
    }).pipe(Effect.provide(Layer.merge(
      TestUpstream.layer((request) =>
        request.attempt === 1 ? [Step.reset] : [Step.chunk("a"), Step.wait("1 second"), Step.reset]
      ),
      Profiles.chat
    ))))

  it.effect("the call's policy override is merged over the profile: chunk 5 s fires at 5 s", () =>
    TimeTravel.expectTimeout(
      streamText(Dialects.openaiChat, { policy: { chunk: Duration.seconds(5) } }),
      "ChunkTimeout",
      { at: "5 seconds" }
    ).pipe(
      Effect.map((error) => assert.strictEqual(error.limitMillis, 5000)),
      Effect.provide(Layer.merge(TestUpstream.layer(Scenario.stallAfter({ after: 1, gap: 0 })), Profiles.chat))
    ))

  it.effect("a keepalive-only upstream lives under chunk, dies with ProgressTimeout under progress", () =>
    Effect.gen(function*() {
      const error = yield* TimeTravel.expectTimeout(
        streamText(Dialects.anthropic, { policy: { progress: Duration.seconds(40) } }),
        "ProgressTimeout",
        { at: "40 seconds" }
      )
      assert.strictEqual(error.lastEvent, "keepalive")
    }).pipe(Effect.provide(Layer.merge(
      TestUpstream.layer(Scenario.pingOnly({ interval: "15 seconds" })),
      RequestProfile.layer("keepalive-test", TimeoutPolicy.unsafeMake({ chunk: "30 seconds" }))
    ))))
})
