/**
 * The `@streamguard/client` README's example: one streamed answer from the OpenAI API, printed as
 * it arrives. `OPENAI_API_KEY=... npx tsx --conditions=@streamguard/source packages/effect3/examples/src/openAi.ts`.
 */
// #region client
import { HttpClientRequest } from "@effect/platform"
import { LlmClient } from "@streamguard/client-effect3"
import { Profiles } from "@streamguard/core-effect3"
import { Dialects } from "@streamguard/protocols-effect3"
import { Config, Console, Effect, Layer, Stream } from "effect"

export const program = Effect.gen(function*() {
  const key = yield* Config.redacted("OPENAI_API_KEY")
  const request = HttpClientRequest.post("https://api.openai.com/v1/chat/completions").pipe(
    HttpClientRequest.bearerToken(key),
    HttpClientRequest.bodyUnsafeJson({
      model: "gpt-4o-mini",
      stream: true,
      messages: [{ role: "user", content: "Hi" }]
    })
  )
  yield* LlmClient.stream(request, { dialect: Dialects.openaiChat }).pipe(
    Stream.map((chunk) => Dialects.openaiChat.text(chunk) ?? ""),
    Stream.runForEach((text) => Console.log(text))
  )
})

export const OpenAiLive = Layer.mergeAll(LlmClient.layerUndici(), Profiles.chat)
// #endregion

if (import.meta.url === `file://${process.argv[1]}`) {
  Effect.runPromise(program.pipe(Effect.provide(OpenAiLive)))
}
