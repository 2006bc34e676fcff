import { assert, describe, it } from "@effect/vitest"
import { RequestProfile, TimeoutPolicy } from "@streamguard/core"
import { ConfigProvider, Duration, Effect, Fiber, Option } from "effect"
import { TestClock } from "effect/testing"
import { ChatFromConfig, fromJson, inChat, interactive, noTotal, outcome } from "./examples/core.js"

const millis = (policy: TimeoutPolicy.TimeoutPolicy, field: TimeoutPolicy.Field) =>
  Option.getOrUndefined(Option.map(TimeoutPolicy.limit(policy, field), Duration.toMillis))

describe("the core README's examples", () => {
  it.effect("policy: built, decoded and merged field by field", () =>
    Effect.gen(function*() {
      assert.strictEqual(millis(interactive, "total"), 120_000)
      const decoded = yield* fromJson
      assert.strictEqual(millis(decoded, "firstChunk"), 300_000)
      assert.strictEqual(millis(decoded, "chunk"), 45_000)
      assert.strictEqual(millis(decoded, "total"), undefined)
      assert.strictEqual(millis(noTotal, "total"), undefined)
      assert.strictEqual(millis(noTotal, "chunk"), 30_000)
    }))

  it.effect("guard and errors: the silent upstream ends with its chunk timeout, 30 s after the last token", () =>
    Effect.gen(function*() {
      const fiber = yield* Effect.forkChild(outcome, { startImmediately: true })
      yield* TestClock.adjust("29999 millis")
      assert.isUndefined(fiber.pollUnsafe())
      yield* TestClock.adjust("1 millis")
      assert.strictEqual(yield* Fiber.join(fiber), "chunk_timeout after 30000 ms, 2 chunks")
    }))

  it.effect("profiles: the per-call override shortens the chat profile's chunk limit to 5 s", () =>
    Effect.gen(function*() {
      const fiber = yield* Effect.forkChild(Effect.flip(inChat), { startImmediately: true })
      yield* TestClock.adjust("5 seconds")
      const error = yield* Fiber.join(fiber)
      assert.strictEqual(error._tag, "ChunkTimeout")
    }))

  it.effect("profiles: the chat profile from configuration takes an environment override, naming a bad one", () =>
    Effect.gen(function*() {
      const withEnv = (entries: Record<string, string>) =>
        Effect.provideService(ConfigProvider.ConfigProvider, ConfigProvider.fromUnknown(entries))
      const policy = yield* RequestProfile.policy.pipe(
        Effect.provide(ChatFromConfig),
        withEnv({ STREAMGUARD_CHAT_CHUNK_TIMEOUT: "45s" })
      )
      assert.strictEqual(millis(policy, "chunk"), 45_000)
      const bad = yield* RequestProfile.policy.pipe(
        Effect.provide(ChatFromConfig),
        withEnv({ STREAMGUARD_CHAT_TOTAL_TIMEOUT: "soon" }),
        Effect.flip
      )
      assert.include(bad.message, "STREAMGUARD_CHAT_TOTAL_TIMEOUT")
    }))
})
