/**
 * The README's "StreamGuard under @effect/ai" example: a user's `LanguageModel.streamText` code,
 * unchanged, with the provider's HTTP client guarded by the request's profile. Its test runs it
 * against the UpstreamSimulator (`OPENAI_BASE_URL`).
 */
// #region effect-ai
import { LanguageModel } from "@effect/ai"
import { OpenAiClient, OpenAiLanguageModel } from "@effect/ai-openai"
import { NodeHttpClient } from "@effect/platform-node"
import { GuardedHttpClient, StreamParts } from "@streamguard/ai-effect3"
import { Profiles } from "@streamguard/core-effect3"
import { Config, Layer, Option, Stream } from "effect"

// @effect/ai code as it was: the answer's text. `guardProgress` is optional: it ends a stream whose
// parts stop carrying content (text, reasoning, tool calls) for the profile's `progress`.
export const answer = LanguageModel.streamText({ prompt: "Summarise the findings" }).pipe(
  StreamParts.guardProgress(),
  Stream.filterMap((part) => part.type === "text-delta" ? Option.some(part.delta) : Option.none()),
  Stream.mkString
)

// The one added line is `transformClient`: every request of this client is guarded by the
// RequestProfile of the fiber that makes it (here the research profile: chunk 30 s, progress 10 min).
export const OpenAi = OpenAiLanguageModel.layer({ model: "gpt-4o-mini" }).pipe(
  Layer.provide(OpenAiClient.layerConfig({
    apiKey: Config.redacted("OPENAI_API_KEY"),
    apiUrl: Config.string("OPENAI_BASE_URL").pipe(Config.withDefault("https://api.openai.com/v1")),
    transformClient: GuardedHttpClient.transformClient()
  })),
  Layer.provide(NodeHttpClient.layerUndici),
  Layer.merge(Profiles.research)
)
// #endregion
