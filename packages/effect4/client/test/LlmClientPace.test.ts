/**
 * What `LlmClient` passes the guard from its dialect, on real sockets: which content is reasoning
 * (for the `reasoning` limit), which keepalives are pings (for the observer's counts), and the
 * `minRate` of the policy. Short, bounded real-time tests; the limits' exact timing is proven under
 * TestClock in core.
 */
import { assert, describe, it } from "@effect/vitest"
import { LlmClient } from "@streamguard/client"
import { RequestProfile, StreamObserver, TimeoutPolicy } from "@streamguard/core"
import { Dialects } from "@streamguard/protocols"
import { Cause, Effect, Exit, Layer, ManagedRuntime, Option, Stream } from "effect"
import { HttpClientRequest } from "effect/http"
import { checkNoLeaks } from "./support/leaks.js"
import { chunk, closedWithin, done, drip, keepalive, sseHead, upstream } from "./support/upstream.js"

const dialect = Dialects.openaiChat

const runtime = ManagedRuntime.make(LlmClient.layerUndici())

/** Provides the file's one client. */
const client = <A, E, R>(effect: Effect.Effect<A, E, R>) =>
  Effect.flatMap(runtime.contextEffect, (context) => Effect.provide(effect, context))

checkNoLeaks(() => runtime.dispose())

const post = (url: string) =>
  HttpClientRequest.post(`${url}/v1/chat/completions`).pipe(
    HttpClientRequest.bodyJsonUnsafe({ model: "m", stream: true, messages: [] })
  )

/** A chat chunk that carries only a reasoning delta, as gpt-oss on Groq sends them. */
const reasoning = (text: string): string =>
  `data: ${
    JSON.stringify({
      id: "chatcmpl-1",
      object: "chat.completion.chunk",
      created: 0,
      model: "m",
      choices: [{ index: 0, delta: { reasoning: text }, finish_reason: null }]
    })
  }\n\n`

/** The role-only opener: a lifecycle frame, not a ping. */
const opener = `data: ${
  JSON.stringify({
    id: "chatcmpl-1",
    object: "chat.completion.chunk",
    created: 0,
    model: "m",
    choices: [{ index: 0, delta: { role: "assistant", content: "" }, finish_reason: null }]
  })
}\n\n`

const run = (policy: Parameters<typeof TimeoutPolicy.unsafeMake>[0], url: string) =>
  Effect.gen(function*() {
    const recording = yield* StreamObserver.makeRecording
    const exit = yield* LlmClient.stream(post(url), { dialect }).pipe(
      Stream.runCollect,
      Effect.timeout("5 seconds"),
      Effect.exit,
      Effect.provide(Layer.mergeAll(
        RequestProfile.layer("test", TimeoutPolicy.unsafeMake(policy)),
        StreamObserver.layer(recording.observer)
      )),
      client
    )
    return { exit, ended: yield* recording.ended }
  })

describe("LlmClient: the dialect's rules reach the guard", () => {
  it.live("keepalives are counted as the dialect's pings: the role-only opener is not one", () =>
    Effect.gen(function*() {
      const server = yield* upstream((x) => {
        sseHead(x)
        x.response.end(opener + keepalive + chunk("a") + keepalive + done)
      })
      const { ended, exit } = yield* run({ chunk: "1 second" }, server.url)
      assert.strictEqual(exit._tag, "Success")
      assert.strictEqual(ended[0]?.keepalives, 2)
    }))

  it.live("reasoning: a stream that only reasons fails with ReasoningTimeout and closes", () =>
    Effect.gen(function*() {
      const server = yield* upstream((x) => {
        sseHead(x)
        x.response.write(opener)
        drip(x, 20, (n) => reasoning(`step ${n}`))
      })
      const { ended, exit } = yield* run(
        { chunk: "1 second", progress: "1 second", reasoning: "300 millis" },
        server.url
      )
      assert.strictEqual(
        Exit.isFailure(exit) ? Option.getOrUndefined(Cause.findErrorOption(exit.cause))?._tag : exit._tag,
        "ReasoningTimeout"
      )
      assert.strictEqual(ended[0]?.outcome, "reasoning_timeout")
      yield* closedWithin(yield* server.exchange(0))
    }))

  it.live("reasoning: the answer beginning in time ends the limit", () =>
    Effect.gen(function*() {
      const server = yield* upstream((x) => {
        sseHead(x)
        x.response.write(opener + reasoning("think") + reasoning("more"))
        setTimeout(() => x.response.end(chunk("answer") + done), 100)
        drip(x, 20, () => keepalive)
      })
      const { exit } = yield* run({ chunk: "1 second", reasoning: "300 millis" }, server.url)
      assert.strictEqual(exit._tag, "Success")
    }))

  it.live("minRate: content that crawls fails with SlowStream and closes", () =>
    Effect.gen(function*() {
      const server = yield* upstream((x) => {
        sseHead(x)
        drip(x, 150, (n) => chunk(`${n}`))
      })
      const { ended, exit } = yield* run({ chunk: "1 second", minRate: "10/300ms" }, server.url)
      assert.strictEqual(
        Exit.isFailure(exit) ? Option.getOrUndefined(Cause.findErrorOption(exit.cause))?._tag : exit._tag,
        "SlowStream"
      )
      assert.strictEqual(ended[0]?.outcome, "slow_stream")
      yield* closedWithin(yield* server.exchange(0))
    }))
})
