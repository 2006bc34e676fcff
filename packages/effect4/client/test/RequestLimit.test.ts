/**
 * The `request` limit under `TestClock`: it bounds a non-streamed call's wait for headers and its
 * body together, never `chunk`; a streamed call is never bounded by it. The upstream is an
 * in-memory `HttpClient` whose waits are Effect sleeps.
 */
import { assert, describe, it } from "@effect/vitest"
import { LlmClient } from "@streamguard/client"
import { RequestProfile, TimeoutPolicy } from "@streamguard/core"
import { Dialects } from "@streamguard/protocols"
import { Deferred, Duration, Effect, Fiber, Layer, Stream } from "effect"
import { HttpClient, HttpClientRequest, HttpClientResponse } from "effect/http"
import { TestClock } from "effect/testing"

const encoder = new TextEncoder()

/** What the fake upstream saw of one request: whether the client aborted it. */
interface Seen {
  aborted: boolean
}

/**
 * An upstream that answers after `headersAfter` with `body` as its first bytes, then either ends
 * or, with `stall`, keeps the body open forever.
 */
const upstream = (
  seen: Seen,
  options: { readonly headersAfter: Duration.Input; readonly body: string; readonly stall?: boolean }
) =>
  LlmClient.layer().pipe(
    Layer.provide(Layer.succeed(
      HttpClient.HttpClient,
      HttpClient.make((request, _url, signal) =>
        Effect.gen(function*() {
          signal.addEventListener("abort", () => {
            seen.aborted = true
          })
          yield* Effect.sleep(options.headersAfter)
          const body = new ReadableStream<Uint8Array>({
            start(controller) {
              controller.enqueue(encoder.encode(options.body))
              if (options.stall !== true) controller.close()
            }
          })
          return HttpClientResponse.fromWeb(
            request,
            new Response(body, { status: 200, headers: { "content-type": "application/json" } })
          )
        })
      )
    ))
  )

// Durations, not inputs: `TimeoutPolicy.make` takes them either way.
const profile = (fields: Partial<Record<"chunk" | "request", Duration.Input>>) =>
  RequestProfile.layer(
    "test",
    TimeoutPolicy.make(Object.fromEntries(Object.entries(fields).map(([k, v]) => [k, Duration.fromInputUnsafe(v)])))
  )

const post = HttpClientRequest.post("http://upstream.test/v1/chat/completions").pipe(
  HttpClientRequest.bodyJsonUnsafe({ model: "m", messages: [] })
)

describe("LlmClient.batch and the request limit", () => {
  it.effect("headers after 45 s with chunk 30 s and request 60 s: the call succeeds", () =>
    Effect.gen(function*() {
      const seen: Seen = { aborted: false }
      const fiber = yield* LlmClient.batch(post).pipe(
        Effect.provide(upstream(seen, { headersAfter: "45 seconds", body: "{\"ok\":true}" })),
        Effect.provide(profile({ chunk: "30 seconds", request: "60 seconds" })),
        Effect.forkChild({ startImmediately: true })
      )
      yield* TestClock.adjust("45 seconds")
      const response = yield* Fiber.join(fiber)
      assert.strictEqual(response.status, 200)
      assert.strictEqual(response.text, "{\"ok\":true}")
    }))

  it.effect("headers, then a stalled body: RequestTimeout at the request limit, and the request aborted", () =>
    Effect.gen(function*() {
      const seen: Seen = { aborted: false }
      const fiber = yield* LlmClient.batch(post).pipe(
        Effect.provide(upstream(seen, { headersAfter: "1 second", body: "{\"partial\":", stall: true })),
        Effect.provide(profile({ chunk: "30 seconds", request: "60 seconds" })),
        Effect.flip,
        Effect.forkChild({ startImmediately: true })
      )
      // Past chunk twice over: still waiting, since chunk does not bound a batch call.
      yield* TestClock.adjust("59 seconds")
      assert.isUndefined(fiber.pollUnsafe())
      yield* TestClock.adjust("1 second")
      const error = yield* Fiber.join(fiber)
      assert.strictEqual(error._tag, "RequestTimeout")
      assert.isTrue(seen.aborted)
    }))

  it.effect("a streamed call is not bounded by request: a stream longer than it completes", () =>
    Effect.gen(function*() {
      const dialect = Dialects.openaiChat
      const chunks = Array.from({ length: 5 }, (_, i) => dialect.encode(dialect.textEvent(`t${i}`))).join("")
      const seen: Seen = { aborted: false }
      const started = yield* Deferred.make<void>()
      const fiber = yield* LlmClient.stream(post, { dialect }).pipe(
        // Each chunk is held back 10 s by the consumer's pace of the clock, for 50 s in all.
        Stream.tap(() => Effect.andThen(Deferred.succeed(started, undefined), Effect.sleep("10 seconds"))),
        Stream.runCollect,
        Effect.provide(upstream(seen, { headersAfter: "0 millis", body: chunks + "data: [DONE]\n\n" })),
        Effect.provide(profile({ chunk: "30 seconds", request: "1 second" })),
        Effect.forkChild({ startImmediately: true })
      )
      yield* Deferred.await(started)
      for (let i = 0; i < 5; i++) yield* TestClock.adjust("10 seconds")
      const out = yield* Fiber.join(fiber)
      assert.strictEqual(out.length, 5)
    }))
})
