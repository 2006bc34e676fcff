// A TypeScript backend's view of the packed libraries: typechecked with `tsc --noEmit` against
// the shipped .d.ts files only.
import type { HttpClient } from "@effect/platform"
import { HttpClientRequest } from "@effect/platform"
import { GuardedHttpClient } from "@streamguard/ai-effect3"
import { LlmClient } from "@streamguard/client-effect3"
import type { ClientError } from "@streamguard/client-effect3"
import type { GuardError, RequestProfile } from "@streamguard/core-effect3"
import { Guard, Profiles, StreamEvent, TimeoutError } from "@streamguard/core-effect3"
import { Dialects } from "@streamguard/protocols-effect3"
import { Scenario, ScenarioSpec, Step } from "@streamguard/simulator-effect3"
import { TestUpstream } from "@streamguard/testing-effect3"
import { Duration, Effect, Layer, Stream } from "effect"

export const answer: Effect.Effect<string, LlmClient.StreamError, LlmClient.LlmClient | RequestProfile.RequestProfile> =
  LlmClient.stream(
    HttpClientRequest.post("http://127.0.0.1:8787/v1/chat/completions").pipe(
      HttpClientRequest.bodyUnsafeJson({ model: "sim:steady", stream: true, messages: [] })
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

// Under @effect/ai's provider clients: their HttpClient, guarded by the request's profile.
export const guardedHttp: Layer.Layer<HttpClient.HttpClient, never, HttpClient.HttpClient> = GuardedHttpClient.layer()
