/**
 * The `@streamguard/ai` README's first example: the two ways to guard an `@effect/ai` provider
 * client's HTTP requests. Its test sends a stream through each against the UpstreamSimulator.
 */
// #region guarded-client
import { OpenAiClient } from "@effect/ai-openai"
import { NodeHttpClient } from "@effect/platform-node"
import { GuardedHttpClient } from "@streamguard/ai-effect3"
import { Config, Layer } from "effect"

const settings = {
  apiKey: Config.redacted("OPENAI_API_KEY"),
  apiUrl: Config.string("OPENAI_BASE_URL").pipe(Config.withDefault("https://api.openai.com/v1"))
}

// As the client's own option: every request this client makes is guarded.
export const ByOption = OpenAiClient.layerConfig({
  ...settings,
  transformClient: GuardedHttpClient.transformClient()
}).pipe(Layer.provide(NodeHttpClient.layerUndici))

// As a layer between any layer that needs an HttpClient and the platform's client.
export const ByLayer = OpenAiClient.layerConfig(settings).pipe(
  Layer.provide(GuardedHttpClient.layer()),
  Layer.provide(NodeHttpClient.layerUndici)
)
// #endregion
