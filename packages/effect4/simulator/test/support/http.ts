/**
 * Talking to the simulator over HTTP as a client would: the request body and path of each
 * dialect, a POST, and ways to read a streamed body.
 */
import type { Dialect } from "@streamguard/protocols"
import { Dialects } from "@streamguard/protocols"
import type { Simulation } from "@streamguard/simulator"
import { Effect, Stream } from "effect"

/** The dialects whose model is in the body (Gemini's is in the path: see Gemini.test.ts). */
export type BodyDialect = Exclude<Simulation.SimDialect, "gemini">

export const dialects: Record<BodyDialect, Dialect.Dialect<any>> = {
  openaiChat: Dialects.openaiChat,
  openaiResponses: Dialects.openaiResponses,
  anthropic: Dialects.anthropic,
  ollama: Dialects.ollama,
  mcp: Dialects.mcp
}

export const paths: Record<BodyDialect, string> = {
  openaiChat: "/v1/chat/completions",
  openaiResponses: "/v1/responses",
  anthropic: "/v1/messages",
  ollama: "/api/chat",
  mcp: "/mcp"
}

export const bodyFor = (dialect: BodyDialect, model: string): unknown =>
  dialect === "mcp" ?
    {
      jsonrpc: "2.0",
      id: 1,
      method: "tools/call",
      params: { name: "simulate", arguments: { scenario: model }, _meta: { progressToken: "p" } }
    } :
    { model, stream: true, max_tokens: 64, messages: [{ role: "user", content: "hi" }], input: "hi" }

export const post = (
  url: string,
  body: unknown,
  options: { readonly headers?: Record<string, string>; readonly signal?: AbortSignal } = {}
) =>
  Effect.tryPromise(() =>
    fetch(url, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        accept: "application/json, text/event-stream",
        ...options.headers
      },
      body: JSON.stringify(body),
      ...(options.signal === undefined ? {} : { signal: options.signal })
    })
  )

export const json = (response: Response) => Effect.promise((): Promise<any> => response.json())

export const bytesOf = (response: Response) =>
  Stream.fromReadableStream({ evaluate: () => response.body!, onError: (error) => error })

/** Reads `count` body pieces, so the test knows the stream is flowing before it acts. */
export const readSome = (response: Response, count: number) =>
  Effect.promise(async () => {
    const reader = response.body!.getReader()
    for (let i = 0; i < count; i++) await reader.read()
    return reader
  }).pipe(Effect.timeout("2 seconds"))

/** Reads the body until its text so far satisfies `done` (bounded). */
export const readUntil = (response: Response, done: (text: string) => boolean) =>
  Effect.promise(async () => {
    const reader = response.body!.getReader()
    const decoder = new TextDecoder()
    let text = ""
    while (!done(text)) {
      const { done: ended, value } = await reader.read()
      if (ended) break
      text += decoder.decode(value, { stream: true })
    }
    return text
  }).pipe(Effect.timeout("2 seconds"))
