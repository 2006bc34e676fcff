/**
 * The Effect 3 subject: `@streamguard/client-effect3`'s `LlmClient.stream` on its own undici
 * `Agent` (`layerUndici`), under the `chat` profile, decoding with the `openaiChat` dialect: the
 * same setup as the bench's Effect 4 subject, on the other line.
 *
 * @since 0.1.0
 */
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as LlmClient from "@streamguard/client-effect3/LlmClient"
import * as Profiles from "@streamguard/core-effect3/Profiles"
import type * as TimeoutPolicy from "@streamguard/core-effect3/TimeoutPolicy"
import * as OpenAiChat from "@streamguard/protocols-effect3/OpenAiChat"
import * as Chunk from "effect/Chunk"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as ManagedRuntime from "effect/ManagedRuntime"
import * as Stream from "effect/Stream"

/**
 * Called with each content delta (a non-empty `choices[0].delta.content`): the bench's `OnChunk`.
 *
 * @since 0.1.0
 * @category models
 */
export type OnChunk = (text: string) => void

/**
 * A stream held open by `open`: the bench's `Held`.
 *
 * @since 0.1.0
 * @category models
 */
export interface Held {
  readonly close: () => void
  readonly ended: Promise<void>
}

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
      HttpClientRequest.bodyText(
        JSON.stringify({ model, stream: true, messages: [{ role: "user", content: "hi" }] }),
        "application/json"
      )
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
 * Streams `model` to its end.
 *
 * @since 0.1.0
 * @category consumers
 */
export const consume = (url: string, model: string, onChunk: OnChunk): Promise<void> =>
  runtime.runPromise(drain(stream(url, model), onChunk))

/**
 * Starts streaming `model` and reads until `close` (an interruption of the reading fiber).
 *
 * @since 0.1.0
 * @category consumers
 */
export const open = (url: string, model: string, onChunk: OnChunk, idleTimeoutMillis?: number): Held => {
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
}

/**
 * Releases the client's agent.
 *
 * @since 0.1.0
 * @category consumers
 */
export const dispose = (): Promise<void> => runtime.dispose()
