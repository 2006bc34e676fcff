// A TypeScript backend's view of the packed Effect 4 libraries: typechecked with `tsc --noEmit`
// against the shipped .d.ts files only.
import { GuardedHttpClient } from "@streamguard/ai"
import { LlmClient } from "@streamguard/client"
import type { ClientError } from "@streamguard/client"
import type { GuardError, RequestProfile } from "@streamguard/core"
import { Guard, Profiles, StreamEvent, TimeoutError } from "@streamguard/core"
import { Dialects } from "@streamguard/protocols"
import { Scenario, ScenarioSpec, Step } from "@streamguard/simulator"
import { TestUpstream } from "@streamguard/testing"
import { Duration, Effect, Layer, Stream } from "effect"
import type { HttpClient } from "effect/http"
import { HttpClientRequest } from "effect/http"

export const answer: Effect.Effect<string, LlmClient.StreamError, LlmClient.LlmClient | RequestProfile.RequestProfile> =
  LlmClient.stream(
    HttpClientRequest.post("http://127.0.0.1:8787/v1/chat/completions").pipe(
      HttpClientRequest.bodyJsonUnsafe({ model: "sim:steady", stream: true, messages: [] })
    ),
    { dialect: Dialects.openaiChat, policy: { chunk: Duration.seconds(5) } }
  ).pipe(
    Stream.map((chunk) => Dialects.openaiChat.text(chunk) ?? ""),
    Stream.mkString
  )

export const outcome = answer.pipe(
  Effect.map(() => "done" as const),
  Effect.catchIf(TimeoutError.isTimeoutError, (error) => Effect.succeed(error.outcome))
)

export const guarded: Stream.Stream<string, GuardError.GuardError> = Stream.make(
  StreamEvent.Chunk({ value: "a", bytes: 1 }),
  StreamEvent.Done({ bytes: 0 })
).pipe(Guard.guard(Profiles.builtins.chat))

export const isHttpError = (error: ClientError.ClientError): boolean => error._tag === "UpstreamHttpError"

export const live: Layer.Layer<LlmClient.LlmClient | RequestProfile.RequestProfile> = Layer.mergeAll(
  LlmClient.layerUndici(),
  Profiles.chat
)

// A test of the same call: the in-memory upstream plays the simulator's scenarios.
export const stalled: Layer.Layer<LlmClient.LlmClient | TestUpstream.TestUpstream> = TestUpstream.layer(
  (request) => request.attempt === 1 ? Scenario.stallAfter({ after: 3, gap: 0 }) : [Step.chunk("Hi"), Step.done]
)

export const header: string = ScenarioSpec.toHeader(Scenario.steady({ chunks: 3, gap: "5ms" }))

// Under effect/ai's language models: their HttpClient, guarded by the request's profile.
export const guardedHttp: Layer.Layer<HttpClient.HttpClient, never, HttpClient.HttpClient> = GuardedHttpClient.layer()
