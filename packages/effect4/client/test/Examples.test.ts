import { assert, describe, it } from "@effect/vitest"
import { ConfigProvider, Effect } from "effect"
import { TestConsole } from "effect/testing"
import { chat, OpenAiLive } from "./examples/openAi.js"
import { chunk, done, sseHead, upstream } from "./support/upstream.js"

describe("the client README's example", () => {
  it.live("streams the answer's text from an OpenAI-shaped upstream, with the key from config as a bearer token", () =>
    Effect.gen(function*() {
      const server = yield* upstream((x) => {
        sseHead(x)
        x.response.end(chunk("Hello") + chunk(" there") + done)
      })
      const lines = yield* Effect.andThen(chat(`${server.url}/v1/chat/completions`), TestConsole.logLines).pipe(
        Effect.provide(OpenAiLive),
        Effect.provide(TestConsole.layer),
        Effect.provideService(ConfigProvider.ConfigProvider, ConfigProvider.fromUnknown({ OPENAI_API_KEY: "sk-test" }))
      )
      const exchange = yield* server.exchange(0)
      assert.strictEqual(exchange.request.headers.authorization, "Bearer sk-test")
      assert.deepStrictEqual(lines, ["Hello", " there"])
    }))
})
