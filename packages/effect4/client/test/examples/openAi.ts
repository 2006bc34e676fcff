/**
 * The example of `@streamguard/client`'s README, as code that typechecks and runs
 * (`../Examples.test.ts` runs it against a loopback upstream). Each `#region` is one README code
 * block, character for character.
 */
// #region client
import { LlmClient } from "@streamguard/client"
import { Profiles } from "@streamguard/core"
import { Dialects } from "@streamguard/protocols"
import { Config, Console, Effect, Layer, Stream } from "effect"
import { HttpClientRequest } from "effect/http"

export const chat = (url: string) =>
  Effect.gen(function*() {
    const key = yield* Config.Redacted("OPENAI_API_KEY")
    const request = HttpClientRequest.post(url).pipe(
      HttpClientRequest.bearerToken(key),
      HttpClientRequest.bodyJsonUnsafe({
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

export const program = chat("https://api.openai.com/v1/chat/completions")

export const OpenAiLive = Layer.mergeAll(LlmClient.layerUndici(), Profiles.chat)
// #endregion
