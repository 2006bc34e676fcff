/**
 * `Driver.liveClient` on the Effect 4 line: `LlmClient.layerUndici()` held in one runtime for the
 * whole block, as an application holds its client.
 */
import type { Ending, LiveCall, LiveClient } from "@streamguard/behaviour"
import { LlmClient } from "@streamguard/client"
import { RequestProfile, StreamObserver } from "@streamguard/core"
import { Dialects } from "@streamguard/protocols"
import { Effect, Fiber, Layer, ManagedRuntime, Stream } from "effect"
import { HttpClientRequest } from "effect/http"
import { forkConsumer, recordingObserver, resultOf } from "./consumers.js"
import { toTimeoutPolicy } from "./policies.js"
import { textOf } from "./upstreams.js"

const streamOnce = (call: LiveCall) =>
  Effect.gen(function*() {
    const observer = recordingObserver()
    const content: Array<string> = []
    const request = HttpClientRequest.post(call.url).pipe(
      HttpClientRequest.bodyJsonUnsafe({ model: "m", stream: true, messages: [{ role: "user", content: "Hi" }] })
    )
    const texts = Stream.map(LlmClient.stream(request, { dialect: Dialects.openaiChat }), textOf)
    const fiber = yield* forkConsumer(texts, call.consumer, (text) => content.push(text), () => Effect.void).pipe(
      Effect.provide(
        Layer.merge(
          RequestProfile.layer("behaviour", toTimeoutPolicy(call.policy)),
          StreamObserver.layer(observer.service)
        )
      )
    )
    const exit = yield* Fiber.await(fiber)
    const ending: Ending = { ...resultOf(exit), observed: observer.observed(), content }
    return ending
  })

/** `Driver.liveClient`: one undici client until `close`. */
export const liveClient = async (): Promise<LiveClient> => {
  const runtime = ManagedRuntime.make(LlmClient.layerUndici())
  await runtime.runPromise(Effect.void)
  return {
    stream: (call) => runtime.runPromise(streamOnce(call)),
    close: () => runtime.dispose()
  }
}
