/**
 * Streaming one chat completion with @streamguard/client under the chat profile.
 *
 * `npx tsx --conditions=@streamguard/source packages/effect4/examples/src/streamChat.ts [baseUrl]` runs it
 * against `npx streamguard sim` (the default, http://127.0.0.1:8787) or any OpenAI-compatible
 * server; its test runs it against the simulator, as a module and as a program.
 */
// #region stream-chat
import { LlmClient } from "@streamguard/client"
import { Profiles } from "@streamguard/core"
import { Dialects } from "@streamguard/protocols"
import { Effect, Layer, Stream } from "effect"
import { HttpClientRequest } from "effect/http"

export const streamChat = (baseUrl: string, model: string) =>
  LlmClient.stream(
    HttpClientRequest.post(`${baseUrl}/v1/chat/completions`).pipe(
      HttpClientRequest.bodyJsonUnsafe({ model, stream: true, messages: [{ role: "user", content: "Hi" }] })
    ),
    { dialect: Dialects.openaiChat }
  ).pipe(
    Stream.map((chunk) => Dialects.openaiChat.text(chunk) ?? ""),
    Stream.mkString
  )

export const StreamChatLive = Layer.mergeAll(LlmClient.layerUndici(), Profiles.chat)

// Run as a program (not when its test imports it): stream from the URL given, or the simulator.
if (import.meta.url === `file://${process.argv[1]}`) {
  const baseUrl = process.argv[2] ?? "http://127.0.0.1:8787"
  Effect.runPromise(streamChat(baseUrl, "sim:steady?chunks=20&gap=50ms").pipe(Effect.provide(StreamChatLive))).then(
    (text) => console.log(text)
  )
}
// #endregion
