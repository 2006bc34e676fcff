/**
 * `@effect/ai`'s own clients, unchanged, over real sockets to the UpstreamSimulator, with the
 * guarded `HttpClient` under them.
 */
import { LanguageModel } from "@effect/ai"
import { AnthropicClient, AnthropicLanguageModel } from "@effect/ai-anthropic"
import { OpenAiClient, OpenAiLanguageModel } from "@effect/ai-openai"
import { HttpClient, HttpClientRequest } from "@effect/platform"
import { NodeHttpClient } from "@effect/platform-node"
import { assert, describe, it } from "@effect/vitest"
import { GuardedHttpClient, StreamParts } from "@streamguard/ai-effect3"
import { RequestProfile, TimeoutPolicy } from "@streamguard/core-effect3"
import { UpstreamSimulator } from "@streamguard/simulator-effect3"
import type { Duration } from "effect"
import { Cause, Deferred, Effect, Exit, Fiber, Layer, Option, Redacted, Stream } from "effect"

let nextId = 0

type Provider = "openai" | "anthropic"

/** `provider`'s language model for `model`, sending `x-sim-request-id: id`, guarded. */
const model = (provider: Provider, simulatorUrl: string, name: string, id: string) => {
  const tag = HttpClient.mapRequest(HttpClientRequest.setHeader("x-sim-request-id", id))
  const guarded = (client: HttpClient.HttpClient) => GuardedHttpClient.transformClient()(tag(client))
  return provider === "openai"
    ? OpenAiLanguageModel.layer({ model: name }).pipe(
      Layer.provide(OpenAiClient.layer({
        apiUrl: `${simulatorUrl}/v1`,
        apiKey: Redacted.make("sk-test"),
        transformClient: guarded
      }))
    )
    : AnthropicLanguageModel.layer({ model: name }).pipe(
      Layer.provide(AnthropicClient.layer({
        apiUrl: simulatorUrl,
        apiKey: Redacted.make("sk-ant-test"),
        transformClient: guarded
      }))
    )
}

const profile = (fields: Parameters<typeof TimeoutPolicy.unsafeMake>[0]) =>
  RequestProfile.layer("test", TimeoutPolicy.unsafeMake(fields))

/** Streams one answer of `name` from the simulator; the text, or the failure. */
const streamText = (
  provider: Provider,
  name: string,
  policy: Parameters<typeof TimeoutPolicy.unsafeMake>[0],
  progress?: Duration.DurationInput
) =>
  Effect.gen(function*() {
    const simulator = yield* UpstreamSimulator.UpstreamSimulator
    const id = `ai-${++nextId}`
    const parts = LanguageModel.streamText({ prompt: "hi" })
    const exit = yield* (progress === undefined ? parts : StreamParts.guardProgress(parts, progress)).pipe(
      Stream.filterMap((part) => part.type === "text-delta" ? Option.some(part.delta) : Option.none()),
      Stream.mkString,
      Effect.provide(Layer.merge(model(provider, simulator.url, name, id), profile(policy))),
      Effect.timeout("5 seconds"),
      Effect.exit
    )
    return { id, simulator, exit }
  })

const failureOf = <A, E>(exit: Exit.Exit<A, E>): unknown =>
  Exit.isFailure(exit) ? Option.getOrUndefined(Cause.failureOption(exit.cause)) : undefined

const simulatorLayer = UpstreamSimulator.layer().pipe(Layer.merge(NodeHttpClient.layerUndici))

describe.each(["openai", "anthropic"] as const)("@effect/ai %s over the guarded HttpClient", (provider) => {
  it.scopedLive("a steady stream completes, every token delivered", () =>
    Effect.gen(function*() {
      const { exit } = yield* streamText(provider, "sim:steady?chunks=5&gap=5ms&jitter=0&text=a b c d e", {
        chunk: "2 seconds"
      })
      assert.isTrue(Exit.isSuccess(exit), String(exit))
      assert.strictEqual(Exit.isSuccess(exit) ? exit.value.replace(/\s+/g, "") : "", "abcde")
    }).pipe(Effect.provide(simulatorLayer)))

  it.scopedLive("a stream that stalls after 3 tokens fails with ChunkTimeout, and the simulator sees the close", () =>
    Effect.gen(function*() {
      const { exit, id, simulator } = yield* streamText(provider, "sim:stall-after-3?gap=5ms", { chunk: "300 millis" })
      const error = failureOf(exit)
      assert.isTrue(GuardedHttpClient.isGuardedError(error), String(exit))
      assert.strictEqual((error as { _tag: string })._tag, "ChunkTimeout")
      const record = yield* simulator.awaitClosed(id, { timeout: "2 seconds" })
      assert.strictEqual(record.end, "client_closed")
    }).pipe(Effect.provide(simulatorLayer)))

  it.scopedLive("interrupting the consumer closes the upstream", () =>
    Effect.gen(function*() {
      const simulator = yield* UpstreamSimulator.UpstreamSimulator
      const id = `ai-${++nextId}`
      const started = yield* Deferred.make<void>()
      const fiber = yield* LanguageModel.streamText({ prompt: "hi" }).pipe(
        Stream.runForEach((part) => part.type === "text-delta" ? Deferred.succeed(started, undefined) : Effect.void),
        Effect.provide(Layer.merge(
          model(provider, simulator.url, "sim:steady?chunks=1000&gap=20ms", id),
          profile({ chunk: "5 seconds" })
        )),
        Effect.fork
      )
      yield* Deferred.await(started)
      yield* Fiber.interrupt(fiber)
      const record = yield* simulator.awaitClosed(id, { timeout: "2 seconds" })
      assert.strictEqual(record.end, "client_closed")
    }).pipe(Effect.provide(simulatorLayer)))

  // The provider's keepalives never reach the parts (the SDK drops them): the parts stream is silent.
  it.scopedLive("a stream of keepalives only ends with ProgressTimeout through StreamParts.guardProgress", () =>
    Effect.gen(function*() {
      const { exit, id, simulator } = yield* streamText(
        provider,
        "sim:ping-only?interval=50ms",
        { chunk: "2 seconds" },
        "400 millis"
      )
      assert.strictEqual((failureOf(exit) as { _tag?: string } | undefined)?._tag, "ProgressTimeout", String(exit))
      const record = yield* simulator.awaitClosed(id, { timeout: "2 seconds" })
      assert.strictEqual(record.end, "client_closed")
    }).pipe(Effect.provide(simulatorLayer)))
})
