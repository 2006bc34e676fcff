/**
 * The subject: `@streamguard/client`'s `LlmClient.stream` on its own undici `Agent`
 * (`layerUndici`), under the `chat` profile, decoding with the `openaiChat` dialect.
 *
 * @since 0.1.0
 */
import { HttpClientRequest } from "@effect/platform"
import { LlmClient } from "@streamguard/client-effect3"
import { Profiles } from "@streamguard/core-effect3"
import type { TimeoutPolicy } from "@streamguard/core-effect3"
import { OpenAiChat } from "@streamguard/protocols-effect3"
import { Chunk, Duration, Effect, Layer, ManagedRuntime, Stream } from "effect"
import type { Consumer, Held, OnChunk } from "./Consumer.js"
import { chatBody } from "./Simulator.js"

/**
 * The client and the profile, built once per process: layer construction is not per stream.
 *
 * @since 0.1.0
 * @category runtime
 */
export const runtime = ManagedRuntime.make(Layer.mergeAll(LlmClient.layerUndici(), Profiles.chat))

/**
 * The guarded content stream of one chat request, with `policy` over the `chat` profile's.
 *
 * @since 0.1.0
 * @category streams
 */
export const stream = (url: string, model: string, policy?: TimeoutPolicy.Fields) =>
  LlmClient.stream(
    HttpClientRequest.post(`${url}/v1/chat/completions`).pipe(
      HttpClientRequest.bodyText(chatBody(model), "application/json")
    ),
    { dialect: OpenAiChat.openaiChat, ...(policy === undefined ? {} : { policy }) }
  )

/**
 * Reads `stream` chunk by chunk as Stream hands them over (one network read's worth), which is how
 * a consumer that cares about cost reads it; the per-element `Stream.runForEach` adds an Effect
 * per element on the consumer's side.
 *
 * @since 0.1.0
 * @category streams
 */
export const drain = <E, R>(
  content: Stream.Stream<OpenAiChat.ChatCompletionChunk, E, R>,
  onChunk: OnChunk
): Effect.Effect<void, E, R> =>
  Stream.runForEachChunk(content, (chunk) =>
    Effect.sync(() => {
      for (const value of Chunk.toReadonlyArray(chunk)) {
        const text = value.choices?.[0]?.delta?.content
        if (typeof text === "string" && text.length > 0) onChunk(text)
      }
    }))

/**
 * @since 0.1.0
 * @category consumers
 */
export const subject: Consumer = {
  name: "subject",
  consume: (url, model, onChunk) => runtime.runPromise(drain(stream(url, model), onChunk)),
  open: (url, model, onChunk, idleTimeoutMillis): Held => {
    // Held streams outlive the chat profile's 120 s total; a 30-minute one keeps its watchdog.
    const policy = idleTimeoutMillis === undefined ? undefined : {
      chunk: Duration.millis(idleTimeoutMillis),
      total: Duration.minutes(30)
    }
    const fiber = runtime.runFork(drain(stream(url, model, policy), onChunk))
    return {
      close: () => {
        fiber.unsafeInterruptAsFork(fiber.id())
      },
      // A promise on the fiber's end, as undici's stream end is one: no second fiber to hold.
      ended: new Promise<void>((resolve) => fiber.addObserver(() => resolve()))
    }
  },
  dispose: () => runtime.dispose()
}
