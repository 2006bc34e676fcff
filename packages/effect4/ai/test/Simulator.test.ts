/**
 * Language models built on `effect/ai`'s `LanguageModel.make` (OpenAI Chat and Anthropic
 * Messages), unchanged, over real sockets to the kernel's simulator, with the guarded `HttpClient`
 * under them.
 */
import { NodeHttpClient } from "@effect/platform-node"
import { assert, describe, it } from "@effect/vitest"
import { GuardedHttpClient, StreamParts } from "@streamguard/ai"
import { RequestProfile, TimeoutPolicy } from "@streamguard/core"
import type { SimulatorServer } from "@streamguard/kernel/simulator/SimulatorServer"
import type { Duration } from "effect"
import { Cause, Deferred, Effect, Exit, Fiber, Layer, Result, Stream } from "effect"
import { LanguageModel } from "effect/ai"
import * as Providers from "./fixtures/Providers.js"
import * as Simulator from "./fixtures/Simulator.js"

let nextId = 0

/** `provider`'s language model for `model` at the simulator, sending `x-sim-request-id: id`, guarded. */
const model = (provider: Providers.Provider, server: SimulatorServer, name: string, id: string) =>
  Providers.layer(provider, { url: server.url, model: name, requestId: id }).pipe(
    Layer.provide(GuardedHttpClient.layer()),
    Layer.provide(NodeHttpClient.layerUndici)
  )

const profile = (fields: Parameters<typeof TimeoutPolicy.unsafeMake>[0]) =>
  RequestProfile.layer("test", TimeoutPolicy.unsafeMake(fields))

/** Streams one answer of `name` from the simulator; the text, or the failure. */
const streamText = (
  provider: Providers.Provider,
  server: SimulatorServer,
  name: string,
  policy: Parameters<typeof TimeoutPolicy.unsafeMake>[0],
  progress?: Duration.Input
) =>
  Effect.gen(function*() {
    const id = `ai-${++nextId}`
    const parts = LanguageModel.streamText({ prompt: "hi" })
    const exit = yield* (progress === undefined ? parts : StreamParts.guardProgress(parts, progress)).pipe(
      Stream.filterMap((part) => part.type === "text-delta" ? Result.succeed(part.delta) : Result.fail(part)),
      Stream.mkString,
      Effect.provide(Layer.merge(model(provider, server, name, id), profile(policy))),
      Effect.timeout("5 seconds"),
      Effect.exit
    )
    return { id, exit }
  })

const failureOf = <A, E>(exit: Exit.Exit<A, E>): unknown => Exit.isFailure(exit) ? Cause.squash(exit.cause) : undefined

describe.each(["openai", "anthropic"] as const)("effect/ai %s over the guarded HttpClient", (provider) => {
  it.live("a steady stream completes, every token delivered", () =>
    Effect.gen(function*() {
      const server = yield* Simulator.start
      const { exit } = yield* streamText(provider, server, "sim:steady?chunks=5&gap=5ms&jitter=0&text=a b c d e", {
        chunk: "2 seconds"
      })
      assert.isTrue(Exit.isSuccess(exit), String(exit))
      assert.strictEqual(Exit.isSuccess(exit) ? exit.value.replace(/\s+/g, "") : "", "abcde")
    }))

  it.live("a stream that stalls after 3 tokens fails with ChunkTimeout, and the simulator sees the close", () =>
    Effect.gen(function*() {
      const server = yield* Simulator.start
      const { exit, id } = yield* streamText(provider, server, "sim:stall-after-3?gap=5ms", { chunk: "300 millis" })
      const error = failureOf(exit)
      assert.isTrue(GuardedHttpClient.isGuardedError(error), String(exit))
      assert.strictEqual((error as { _tag: string })._tag, "ChunkTimeout")
      const record = yield* Simulator.awaitClosed(server, id)
      assert.strictEqual(record.end, "client_closed")
    }))

  it.live("interrupting the consumer closes the upstream", () =>
    Effect.gen(function*() {
      const server = yield* Simulator.start
      const id = `ai-${++nextId}`
      const started = yield* Deferred.make<void>()
      const fiber = yield* LanguageModel.streamText({ prompt: "hi" }).pipe(
        Stream.runForEach((part) => part.type === "text-delta" ? Deferred.succeed(started, undefined) : Effect.void),
        Effect.provide(Layer.merge(
          model(provider, server, "sim:steady?chunks=1000&gap=20ms", id),
          profile({ chunk: "5 seconds" })
        )),
        Effect.forkChild
      )
      yield* Deferred.await(started)
      yield* Fiber.interrupt(fiber)
      const record = yield* Simulator.awaitClosed(server, id)
      assert.strictEqual(record.end, "client_closed")
    }))

  // The provider's keepalives never reach the parts (the provider drops them): the parts stream is silent.
  it.live("a stream of keepalives only ends with ProgressTimeout through StreamParts.guardProgress", () =>
    Effect.gen(function*() {
      const server = yield* Simulator.start
      const { exit, id } = yield* streamText(
        provider,
        server,
        "sim:ping-only?interval=50ms",
        { chunk: "2 seconds" },
        "400 millis"
      )
      assert.strictEqual((failureOf(exit) as { _tag?: string } | undefined)?._tag, "ProgressTimeout", String(exit))
      const record = yield* Simulator.awaitClosed(server, id)
      assert.strictEqual(record.end, "client_closed")
    }))
})
