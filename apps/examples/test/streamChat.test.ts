import { assert, describe, it } from "@effect/vitest"
import { UpstreamSimulator } from "@streamguard/simulator"
import { Effect, Layer } from "effect"
import { streamChat, StreamChatLive } from "../src/streamChat.js"

describe("streamChat example", () => {
  it.live("streams a whole chat completion from a real upstream server under the chat profile", () =>
    Effect.gen(function*() {
      const sim = yield* UpstreamSimulator.UpstreamSimulator
      const text = yield* streamChat(sim.url, "sim:steady?chunks=12&gap=1ms").pipe(Effect.provide(StreamChatLive))
      assert.isAbove(text.length, 12)
      const [record] = yield* sim.requests
      assert.strictEqual(record?.chunks, 12)
    }).pipe(Effect.provide(Layer.fresh(UpstreamSimulator.layer())), Effect.scoped))
})
