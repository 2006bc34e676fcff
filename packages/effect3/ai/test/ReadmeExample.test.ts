import { LanguageModel } from "@effect/ai"
import { OpenAiClient, OpenAiLanguageModel } from "@effect/ai-openai"
import { assert, describe, it } from "@effect/vitest"
import { GuardedHttpClient } from "@streamguard/ai-effect3"
import { Profiles } from "@streamguard/core-effect3"
import { Step } from "@streamguard/simulator-effect3"
import { TestUpstream, TimeTravel } from "@streamguard/testing-effect3"
import { Effect, Layer, Redacted, Stream } from "effect"

// The upstream, in memory on the Effect clock: one token, then silence for good.
const upstream = TestUpstream.layerHttpClient([Step.chunk("a"), Step.wait("1 second"), Step.stallForever])

// The model as production builds it (OpenAiClient, guarded), over that upstream.
const model = OpenAiLanguageModel.layer({ model: "gpt-4o-mini" }).pipe(
  Layer.provide(OpenAiClient.layer({ apiUrl: "https://upstream.test/v1", apiKey: Redacted.make("sk-test") })),
  Layer.provide(GuardedHttpClient.layer()),
  Layer.provide(upstream)
)

describe("@effect/ai code under TestClock", () => {
  it.effect("a stream silent after its first token ends with ChunkTimeout 30 s after it (chat), at once", () =>
    Effect.gen(function*() {
      const answer = LanguageModel.streamText({ prompt: "hi" }).pipe(Stream.runDrain)
      // Typed though @effect/ai's error type cannot list ChunkTimeout.
      const timeout = yield* TimeTravel.expectTimeout(answer, "ChunkTimeout", { at: "30 seconds" })
      assert.strictEqual(timeout.limitMillis, 30_000)
      assert.strictEqual(timeout.chunks, 1)
      // The upstream saw the connection closed at that moment.
      const [exchange] = yield* TestUpstream.exchanges
      assert.strictEqual(exchange?.record.end, "client_closed")
      assert.strictEqual(exchange?.record.closedAt, 30_000)
    }).pipe(Effect.provide(Layer.mergeAll(model, upstream, Profiles.chat))))
})
