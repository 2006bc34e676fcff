/**
 * `@effect/ai` code's timeouts under `TestClock`: the in-memory upstream of `@streamguard/testing`
 * stands under `OpenAiClient`/`AnthropicClient` as their `HttpClient`, guarded, so minutes of a
 * stream pass in milliseconds.
 */
import { LanguageModel } from "@effect/ai"
import { AnthropicClient, AnthropicLanguageModel } from "@effect/ai-anthropic"
import { OpenAiClient, OpenAiLanguageModel } from "@effect/ai-openai"
import { HttpClient, HttpClientRequest } from "@effect/platform"
import { assert, describe, it } from "@effect/vitest"
import { GuardedHttpClient, StreamParts } from "@streamguard/ai-effect3"
import * as ReadCuts from "@streamguard/behaviour/ReadCuts"
import { Profiles, RequestProfile, TimeoutPolicy } from "@streamguard/core-effect3"
import { Step } from "@streamguard/simulator-effect3"
import { TestUpstream, TimeTravel } from "@streamguard/testing-effect3"
import type { Duration } from "effect"
import { Cause, Chunk, Effect, Exit, Layer, Option, Redacted, Stream } from "effect"

type Provider = "openai" | "anthropic"

/** `provider`'s language model over the in-memory upstream playing `script`, guarded. */
const over = (provider: Provider, script: TestUpstream.Scripts) => {
  const upstream = TestUpstream.layerHttpClient(script)
  const model = provider === "openai"
    ? OpenAiLanguageModel.layer({ model: "m" }).pipe(
      Layer.provide(OpenAiClient.layer({ apiUrl: "https://upstream.test/v1", apiKey: Redacted.make("sk-test") }))
    )
    : AnthropicLanguageModel.layer({ model: "m" }).pipe(
      Layer.provide(AnthropicClient.layer({ apiUrl: "https://upstream.test", apiKey: Redacted.make("sk-ant-test") }))
    )
  return Layer.merge(model.pipe(Layer.provide(GuardedHttpClient.layer()), Layer.provide(upstream)), upstream)
}

const text = LanguageModel.streamText({ prompt: "hi" }).pipe(
  Stream.filterMap((part) => part.type === "text-delta" ? Option.some(part.delta) : Option.none()),
  Stream.mkString
)

/** How `effect` ended within `run` of virtual time, and when: the tag of its failure, or "done". */
const endOf = <A, E, R>(effect: Effect.Effect<A, E, R>, run: Duration.DurationInput) =>
  Effect.map(TimeTravel.runFor(effect, run), (ended) => {
    assert.isTrue(Option.isSome(ended), "still running")
    const { atMillis, exit } = Option.getOrThrow(ended)
    const error = Exit.isFailure(exit) ? Option.getOrUndefined(Cause.failureOption(exit.cause)) : undefined
    return { atMillis, outcome: exit._tag === "Success" ? "done" : (error as { _tag?: string })?._tag }
  })

describe.each(["openai", "anthropic"] as const)("@effect/ai %s under TestClock", (provider) => {
  it.effect("a stream silent after its third token ends with ChunkTimeout exactly 30 s later (chat)", () =>
    Effect.gen(function*() {
      const script = [Step.chunk("a"), Step.wait("1 second"), Step.chunk("b"), Step.wait("1 second"), Step.chunk("c")]
      const { atMillis, end, outcome } = yield* Effect.gen(function*() {
        const ended = yield* endOf(text, "2 minutes")
        const exchanges = yield* TestUpstream.exchanges
        return { ...ended, end: exchanges[0]?.record.end }
      }).pipe(
        Effect.provide(over(provider, [...script, Step.stallForever])),
        Effect.provide(Profiles.chat)
      )
      assert.strictEqual(outcome, "ChunkTimeout")
      assert.strictEqual(atMillis, 32_000)
      assert.strictEqual(end, "client_closed")
    }))

  it.effect("the research timeline (90 s thinking with keepalives, then the answer) completes under research", () =>
    Effect.gen(function*() {
      const thinking = Array.from({ length: 6 }, () => [Step.wait("15 seconds"), Step.keepalive]).flat()
      const script = [...thinking, Step.chunk("the"), Step.wait("20 seconds"), Step.chunk(" answer"), Step.done]
      const { atMillis, outcome } = yield* endOf(text, "5 minutes").pipe(
        Effect.provide(over(provider, script)),
        Effect.provide(Profiles.research)
      )
      assert.strictEqual(outcome, "done")
      assert.strictEqual(atMillis, 110_000)
    }))

  it.effect("keepalives alone end with ProgressTimeout at the profile's progress limit, through guardProgress", () =>
    Effect.gen(function*() {
      const pings = Array.from({ length: 40 }, () => [Step.wait("10 seconds"), Step.keepalive]).flat()
      const { atMillis, outcome } = yield* endOf(
        StreamParts.guardProgress(LanguageModel.streamText({ prompt: "hi" })).pipe(
          Stream.runDrain
        ),
        "10 minutes"
      ).pipe(
        Effect.provide(over(provider, pings)),
        Effect.provide(
          RequestProfile.layer("ticks", TimeoutPolicy.unsafeMake({ chunk: "30 seconds", progress: "2 minutes" }))
        )
      )
      assert.strictEqual(outcome, "ProgressTimeout")
      assert.strictEqual(atMillis, 120_000)
    }))

  it.effect("a whole answer that takes 20 s completes under chat: its wait is bounded by request, not chunk", () =>
    Effect.gen(function*() {
      const { atMillis, outcome } = yield* endOf(LanguageModel.generateText({ prompt: "hi" }), "5 minutes").pipe(
        Effect.provide(over(provider, [Step.wait("45 seconds"), Step.chunk("late"), Step.done])),
        Effect.provide(Profiles.chat)
      )
      assert.strictEqual(outcome, "done")
      assert.strictEqual(atMillis, 45_000)
    }))

  it.effect("a whole answer that takes 90 s ends with RequestTimeout at the request limit (chat: 60 s)", () =>
    Effect.gen(function*() {
      const { atMillis, outcome } = yield* endOf(LanguageModel.generateText({ prompt: "hi" }), "5 minutes").pipe(
        Effect.provide(over(provider, [Step.wait("90 seconds"), Step.chunk("late"), Step.done])),
        Effect.provide(Profiles.chat)
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
      const { atMillis, outcome } = yield* endOf(text, "10 minutes").pipe(
        Effect.provide(over("anthropic", script)),
        Effect.provide(
          RequestProfile.layer("thinker", TimeoutPolicy.unsafeMake({ chunk: "30 seconds", reasoning: "1 minute" }))
        )
      )
      assert.strictEqual(outcome, "ReasoningTimeout")
      // Counted from the first thinking delta, 10 s in.
      assert.strictEqual(atMillis, 70_000)
    }))
})

/**
 * The writes of a streamed answer of three content deltas, as the in-memory upstream renders them
 * for `provider`'s SDK (its opening frames included), and where each delta's frame starts and ends.
 */
const threeDeltas = (provider: Provider) =>
  Effect.gen(function*() {
    const client = yield* HttpClient.HttpClient
    const request = provider === "openai"
      ? HttpClientRequest.post("https://upstream.test/v1/responses").pipe(
        HttpClientRequest.bodyUnsafeJson({ model: "m", stream: true, input: "hi" })
      )
      : HttpClientRequest.post("https://upstream.test/v1/messages").pipe(
        HttpClientRequest.bodyUnsafeJson({
          model: "m",
          stream: true,
          max_tokens: 16,
          messages: [{ role: "user", content: "hi" }]
        })
      )
    const response = yield* client.execute(request)
    const writes = Chunk.toReadonlyArray(yield* Stream.runCollect(Stream.decodeText(response.stream)))
    const deltas = ReadCuts.spans(writes, (write) => /output_text\.delta|content_block_delta/.test(write))
    assert.strictEqual(deltas.length, 3)
    return { text: writes.join(""), deltas }
  }).pipe(
    Effect.scoped,
    Effect.provide(TestUpstream.layerHttpClient([Step.chunk("a"), Step.chunk("b"), Step.chunk("c")]))
  )

describe.each(["openai", "anthropic"] as const)("@effect/ai %s: an error's chunks", (provider) => {
  const chunksAtTimeout = (reads: ReadonlyArray<Step.Step>) =>
    Effect.gen(function*() {
      const ended = yield* TimeTravel.runFor(text, "2 minutes")
      const { exit } = Option.getOrThrow(ended)
      const error = Exit.isFailure(exit) ? Option.getOrUndefined(Cause.failureOption(exit.cause)) : undefined
      assert.strictEqual((error as { _tag?: string })?._tag, "ChunkTimeout")
      return (error as unknown as { readonly chunks: number }).chunks
    }).pipe(Effect.provide(over(provider, reads)), Effect.provide(Profiles.chat))

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
