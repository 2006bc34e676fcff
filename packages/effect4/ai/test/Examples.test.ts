import { assert, describe, it } from "@effect/vitest"
import { RequestProfile, TimeoutPolicy } from "@streamguard/core"
import { Cause, Effect, Exit, Layer } from "effect"
import { answer, guarded, inChat } from "./examples/ai.js"
import * as Providers from "./fixtures/Providers.js"
import * as Simulator from "./fixtures/Simulator.js"

describe("the ai README's examples", () => {
  it.live("a model guarded by the example streams a whole answer under the chat profile", () =>
    Effect.gen(function*() {
      const server = yield* Simulator.start
      const model = guarded(
        Providers.layer("openai", { url: server.url, model: "sim:steady?chunks=3&gap=5ms&jitter=0&text=a b c" })
      )
      const text = yield* inChat("hi").pipe(Effect.provide(model))
      assert.strictEqual(text.replace(/\s+/g, ""), "abc")
    }))

  it.live("a stalled answer fails with ChunkTimeout at the profile's limit, and the upstream sees the close", () =>
    Effect.gen(function*() {
      const server = yield* Simulator.start
      const model = guarded(
        Providers.layer("anthropic", { url: server.url, model: "sim:stall-after-3?gap=5ms", requestId: "example" })
      )
      // The chat profile's 30 s, shortened so the test runs on the wall clock.
      const short = RequestProfile.layer("short", TimeoutPolicy.unsafeMake({ chunk: "300 millis" }))
      const exit = yield* answer("hi").pipe(Effect.provide(Layer.merge(model, short)), Effect.exit)
      assert.strictEqual(
        Exit.isFailure(exit) ? (Cause.squash(exit.cause) as { _tag?: string })._tag : "done",
        "ChunkTimeout"
      )
      const record = yield* Simulator.awaitClosed(server, "example")
      assert.strictEqual(record.end, "client_closed")
    }))
})
