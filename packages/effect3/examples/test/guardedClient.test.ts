import { LanguageModel } from "@effect/ai"
import { OpenAiLanguageModel } from "@effect/ai-openai"
import { assert, describe, it } from "@effect/vitest"
import { Profiles, RequestProfile } from "@streamguard/core-effect3"
import { UpstreamSimulator } from "@streamguard/simulator-effect3"
import { Cause, ConfigProvider, Duration, Effect, Exit, Layer, Option, Stream } from "effect"
import { ByLayer, ByOption } from "../src/guardedClient.js"

describe("the @streamguard/ai README's guarded clients", () => {
  for (const [name, client] of [["transformClient", ByOption], ["GuardedHttpClient.layer", ByLayer]] as const) {
    it.live(`${name}: a stream that stalls ends with ChunkTimeout and the upstream sees the close`, () =>
      Effect.gen(function*() {
        const sim = yield* UpstreamSimulator.UpstreamSimulator
        const config = ConfigProvider.fromMap(
          new Map([["OPENAI_API_KEY", "sk-test"], ["OPENAI_BASE_URL", `${sim.url}/v1`]])
        )
        const model = OpenAiLanguageModel.layer({ model: "sim:stall-after-2" }).pipe(Layer.provide(client))
        const exit = yield* LanguageModel.streamText({ prompt: "hi" }).pipe(
          Stream.runDrain,
          RequestProfile.withPolicy({ chunk: Duration.millis(300) }),
          Effect.provide(model),
          Effect.withConfigProvider(config),
          Effect.exit
        )
        const error = Exit.isFailure(exit) ? Option.getOrUndefined(Cause.failureOption(exit.cause)) : undefined
        assert.strictEqual((error as { _tag?: string } | undefined)?._tag, "ChunkTimeout")
        const [record] = yield* sim.requests
        const closed = yield* sim.awaitClosed(record!.id)
        assert.isDefined(closed.closedAt)
      }).pipe(
        Effect.provide(Layer.merge(Layer.fresh(UpstreamSimulator.layer()), Profiles.chat)),
        Effect.scoped
      ))
  }
})
