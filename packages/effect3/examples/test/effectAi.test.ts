import { assert, describe, it } from "@effect/vitest"
import { UpstreamSimulator } from "@streamguard/simulator-effect3"
import { ConfigProvider, Effect, Layer } from "effect"
import { answer, OpenAi } from "../src/effectAi.js"

describe("the @effect/ai example", () => {
  it.live("streams a whole answer from a real upstream server through @effect/ai, guarded", () =>
    Effect.gen(function*() {
      const sim = yield* UpstreamSimulator.UpstreamSimulator
      const config = ConfigProvider.fromMap(
        new Map([["OPENAI_API_KEY", "sk-test"], ["OPENAI_BASE_URL", `${sim.url}/v1`]])
      )
      const text = yield* answer.pipe(Effect.provide(OpenAi), Effect.withConfigProvider(config))
      const [record] = yield* sim.requests
      assert.strictEqual(record?.path, "/v1/responses")
      assert.strictEqual(record?.end, "ended")
      assert.isAbove(text.length, record?.chunks ?? Infinity)
    }).pipe(Effect.provide(Layer.fresh(UpstreamSimulator.layer())), Effect.scoped))
})
