/**
 * `effect/ai` code's timeouts under `TestClock`: an in-memory upstream on the Effect clock stands
 * under the language models as their `HttpClient`, guarded, so minutes of a stream pass in
 * milliseconds.
 */
import { assert, describe, it } from "@effect/vitest"
import { GuardedHttpClient, StreamParts } from "@streamguard/ai"
import * as ReadCuts from "@streamguard/behaviour/ReadCuts"
import { Profiles, RequestProfile, TimeoutError, TimeoutPolicy } from "@streamguard/core"
import * as Step from "@streamguard/kernel/simulator/Step"
import type { Duration } from "effect"
import { Cause, Effect, Exit, Layer, Result, Stream } from "effect"
import { LanguageModel } from "effect/ai"
import { HttpClient, HttpClientRequest } from "effect/http"
import * as MemoryUpstream from "./fixtures/MemoryUpstream.js"
import * as Providers from "./fixtures/Providers.js"
import * as TimeTravel from "./fixtures/TimeTravel.js"

/** `provider`'s language model over the in-memory upstream playing `script`, guarded. */
const over = (provider: Providers.Provider, script: ReadonlyArray<Step.Step>) => {
  const upstream = MemoryUpstream.make(script)
  const model = Providers.layer(provider, { url: "https://upstream.test", model: "m" }).pipe(
    Layer.provide(GuardedHttpClient.layer()),
    Layer.provide(Layer.succeed(HttpClient.HttpClient, upstream.httpClient))
  )
  return { model, exchanges: upstream.exchanges, settled: upstream.settled }
}

const text = LanguageModel.streamText({ prompt: "hi" }).pipe(
  Stream.filterMap((part) => part.type === "text-delta" ? Result.succeed(part.delta) : Result.fail(part)),
  Stream.mkString
)

const failureOf = <A, E>(exit: Exit.Exit<A, E>): { readonly _tag?: string } | undefined =>
  Exit.isFailure(exit) ? Cause.squash(exit.cause) as { readonly _tag?: string } : undefined

/** How `effect` ended within `run` of virtual time, and when: the tag of its failure, or "done". */
const endOf = <A, E, R>(effect: Effect.Effect<A, E, R>, run: Duration.Input, settled: Effect.Effect<void>) =>
  Effect.map(TimeTravel.runFor(effect, run, settled), (ended) => {
    assert.isDefined(ended, "still running")
    const { atMillis, exit } = ended!
    return { atMillis, outcome: Exit.isSuccess(exit) ? "done" : failureOf(exit)?._tag, exit }
  })

describe.each(["openai", "anthropic"] as const)("effect/ai %s under TestClock", (provider) => {
  it.effect("a stream silent after its first token ends with ChunkTimeout 30 s after it (chat), its details typed", () =>
    Effect.gen(function*() {
      const { exchanges, model, settled } = over(provider, [Step.chunk("a"), Step.wait("1 second"), Step.stallForever])
      const { atMillis, exit } = yield* endOf(
        Stream.runDrain(LanguageModel.streamText({ prompt: "hi" })),
        "2 minutes",
        settled
      )
        .pipe(Effect.provide(Layer.merge(model, Profiles.chat)))
      const error = failureOf(exit)
      assert.isTrue(GuardedHttpClient.isGuardedError(error))
      assert.isTrue(error instanceof TimeoutError.ChunkTimeout)
      const timeout = error as TimeoutError.ChunkTimeout
      assert.strictEqual(timeout.limitMillis, 30_000)
      assert.strictEqual(timeout.chunks, 1)
      assert.strictEqual(atMillis, 30_000)
      // The upstream saw the connection closed at that moment.
      assert.strictEqual(exchanges[0]?.end, "client_closed")
      assert.strictEqual(exchanges[0]?.closedAt, 30_000)
    }))

  it.effect("a stream silent after its third token ends with ChunkTimeout exactly 30 s later (chat)", () =>
    Effect.gen(function*() {
      const script = [Step.chunk("a"), Step.wait("1 second"), Step.chunk("b"), Step.wait("1 second"), Step.chunk("c")]
      const { exchanges, model, settled } = over(provider, [...script, Step.stallForever])
      const { atMillis, outcome } = yield* endOf(text, "2 minutes", settled).pipe(
        Effect.provide(Layer.merge(model, Profiles.chat))
      )
      assert.strictEqual(outcome, "ChunkTimeout")
      assert.strictEqual(atMillis, 32_000)
      assert.strictEqual(exchanges[0]?.end, "client_closed")
      assert.strictEqual(exchanges[0]?.closedAt, 32_000)
    }))

  it.effect("the research timeline (90 s thinking with keepalives, then the answer) completes under research", () =>
    Effect.gen(function*() {
      const thinking = Array.from({ length: 6 }, () => [Step.wait("15 seconds"), Step.keepalive]).flat()
      const script = [...thinking, Step.chunk("the"), Step.wait("20 seconds"), Step.chunk(" answer"), Step.done]
      const { model, settled } = over(provider, script)
      const { atMillis, exit, outcome } = yield* endOf(text, "5 minutes", settled).pipe(
        Effect.provide(Layer.merge(model, Profiles.research))
      )
      assert.strictEqual(outcome, "done")
      assert.strictEqual(atMillis, 110_000)
      assert.deepStrictEqual(exit, Exit.succeed("the answer"))
    }))

  it.effect("keepalives alone end with ProgressTimeout at the profile's progress limit, through guardProgress", () =>
    Effect.gen(function*() {
      const pings = Array.from({ length: 40 }, () => [Step.wait("10 seconds"), Step.keepalive]).flat()
      const { model, settled } = over(provider, pings)
      const { atMillis, outcome } = yield* endOf(
        StreamParts.guardProgress(LanguageModel.streamText({ prompt: "hi" })).pipe(Stream.runDrain),
        "10 minutes",
        settled
      ).pipe(
        Effect.provide(Layer.merge(
          model,
          RequestProfile.layer("ticks", TimeoutPolicy.unsafeMake({ chunk: "30 seconds", progress: "2 minutes" }))
        ))
      )
      assert.strictEqual(outcome, "ProgressTimeout")
      assert.strictEqual(atMillis, 120_000)
    }))

  it.effect("a whole answer that takes 45 s completes under chat: its wait is bounded by request, not chunk", () =>
    Effect.gen(function*() {
      const { model, settled } = over(provider, [Step.wait("45 seconds"), Step.chunk("late"), Step.done])
      const { atMillis, outcome } = yield* endOf(LanguageModel.generateText({ prompt: "hi" }), "5 minutes", settled)
        .pipe(
          Effect.provide(Layer.merge(model, Profiles.chat))
        )
      assert.strictEqual(outcome, "done")
      assert.strictEqual(atMillis, 45_000)
    }))

  it.effect("a whole answer that takes 90 s ends with RequestTimeout at the request limit (chat: 60 s)", () =>
    Effect.gen(function*() {
      const { model, settled } = over(provider, [Step.wait("90 seconds"), Step.chunk("late"), Step.done])
      const { atMillis, outcome } = yield* endOf(LanguageModel.generateText({ prompt: "hi" }), "5 minutes", settled)
        .pipe(
          Effect.provide(Layer.merge(model, Profiles.chat))
        )
      assert.strictEqual(outcome, "RequestTimeout")
      assert.strictEqual(atMillis, 60_000)
    }))

  it.effect("anthropic: a model that only thinks ends with ReasoningTimeout at the reasoning limit, though thinking keeps chunk alive", () =>
    Effect.gen(function*() {
      const thinking = Step.chunkPayload({
        type: "content_block_delta",
        index: 0,
        delta: { type: "thinking_delta", thinking: "hmm" }
      })
      const script = Array.from({ length: 30 }, () => [Step.wait("10 seconds"), thinking]).flat()
      const { model, settled } = over("anthropic", script)
      const { atMillis, outcome } = yield* endOf(text, "10 minutes", settled).pipe(
        Effect.provide(Layer.merge(
          model,
          RequestProfile.layer("thinker", TimeoutPolicy.unsafeMake({ chunk: "30 seconds", reasoning: "1 minute" }))
        ))
      )
      assert.strictEqual(outcome, "ReasoningTimeout")
      // Counted from the first thinking delta, 10 s in.
      assert.strictEqual(atMillis, 70_000)
    }))
})

/**
 * The writes of a streamed answer of three content deltas, as the in-memory upstream renders them
 * for `provider` (its opening frames included), and where each delta's frame starts and ends.
 */
const threeDeltas = (provider: Providers.Provider) =>
  Effect.gen(function*() {
    const { httpClient } = MemoryUpstream.make([Step.chunk("a"), Step.chunk("b"), Step.chunk("c")])
    const request = provider === "openai"
      ? HttpClientRequest.post("https://upstream.test/v1/chat/completions").pipe(
        HttpClientRequest.bodyJsonUnsafe({ model: "m", stream: true, messages: [{ role: "user", content: "hi" }] })
      )
      : HttpClientRequest.post("https://upstream.test/v1/messages").pipe(
        HttpClientRequest.bodyJsonUnsafe({
          model: "m",
          stream: true,
          max_tokens: 16,
          messages: [{ role: "user", content: "hi" }]
        })
      )
    const response = yield* httpClient.execute(request)
    const writes = yield* Stream.runCollect(Stream.decodeText(response.stream))
    const deltas = ReadCuts.spans(writes, (write) => /"content":"[abc]"|content_block_delta/.test(write))
    assert.strictEqual(deltas.length, 3)
    return { text: writes.join(""), deltas }
  })

describe.each(["openai", "anthropic"] as const)("effect/ai %s: an error's chunks", (provider) => {
  const chunksAtTimeout = (reads: ReadonlyArray<Step.Step>) => {
    const { model, settled } = over(provider, reads)
    return Effect.gen(function*() {
      const { exit, outcome } = yield* endOf(text, "2 minutes", settled)
      assert.strictEqual(outcome, "ChunkTimeout")
      return (failureOf(exit) as unknown as { readonly chunks: number }).chunks
    }).pipe(Effect.provide(Layer.merge(model, Profiles.chat)))
  }

  it.effect("counts three content events read at once as three", () =>
    Effect.gen(function*() {
      const { text } = yield* threeDeltas(provider)
      assert.strictEqual(yield* chunksAtTimeout(ReadCuts.readsOf(text, [])), 3)
    }))

  it.effect("counts three content events as three when reads split them and carry two at once", () =>
    Effect.gen(function*() {
      const { deltas, text } = yield* threeDeltas(provider)
      // The first read ends inside the first delta, the second completes it and the second delta
      // and ends inside the third, the last completes it.
      assert.strictEqual(
        yield* chunksAtTimeout(ReadCuts.readsOf(text, [ReadCuts.middle(deltas[0]!), ReadCuts.middle(deltas[2]!)])),
        3
      )
    }))

  it.effect("counts three content events as three when each is split across reads of a few bytes", () =>
    Effect.gen(function*() {
      const { text } = yield* threeDeltas(provider)
      assert.strictEqual(yield* chunksAtTimeout(ReadCuts.readsOf(text, ReadCuts.every(text.length, 7))), 3)
    }))
})
