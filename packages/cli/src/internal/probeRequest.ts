/**
 * The streaming request a probe sends: the smallest body each dialect streams for, the API key in
 * the header its provider reads, and the caller's extra headers.
 */
import type { DialectName } from "@streamguard/protocols/Dialect"
import * as HttpClientRequest from "effect/http/HttpClientRequest"
import * as Redacted from "effect/Redacted"

/** What a probe's request is made of. */
export interface Spec {
  readonly url: string
  readonly dialect: Exclude<DialectName, "sse">
  readonly model: string | undefined
  readonly prompt: string
  /** `name: value` pairs, in order. */
  readonly headers: ReadonlyArray<readonly [string, string]>
  /** A body of the caller's, sent as is. */
  readonly body: unknown
  readonly key: Redacted.Redacted | undefined
}

const messages = (prompt: string) => [{ role: "user", content: prompt }]

/** The default body: streaming on, the model, one user message. */
export const defaultBody = (spec: Spec): unknown => {
  const model = spec.model === undefined ? {} : { model: spec.model }
  switch (spec.dialect) {
    case "openaiChat":
    case "ollama":
      return { ...model, stream: true, messages: messages(spec.prompt) }
    case "openaiResponses":
      return { ...model, stream: true, input: spec.prompt }
    case "anthropic":
      return { ...model, max_tokens: 1024, stream: true, messages: messages(spec.prompt) }
    case "gemini":
      // Gemini names the model in the URL (`models/<m>:streamGenerateContent?alt=sse`).
      return { contents: [{ role: "user", parts: [{ text: spec.prompt }] }] }
    case "mcp":
      // The model names the tool to call; the progress token asks for progress notifications.
      return {
        jsonrpc: "2.0",
        id: 1,
        method: "tools/call",
        params: { name: spec.model ?? "", arguments: {}, _meta: { progressToken: 1 } }
      }
  }
}

const keyHeader = (dialect: Spec["dialect"], key: string): Record<string, string> => {
  switch (dialect) {
    case "anthropic":
      return { "x-api-key": key }
    case "gemini":
      return { "x-goog-api-key": key }
    default:
      return { authorization: `Bearer ${key}` }
  }
}

/** The request; the key goes only into its header, never into anything printed. */
export const make = (spec: Spec): HttpClientRequest.HttpClientRequest => {
  const accept = spec.dialect === "mcp" ? "application/json, text/event-stream" : "text/event-stream"
  const headers: Record<string, string> = {
    accept,
    ...(spec.dialect === "anthropic" ? { "anthropic-version": "2023-06-01" } : {}),
    ...(spec.key === undefined ? {} : keyHeader(spec.dialect, Redacted.value(spec.key))),
    ...Object.fromEntries(spec.headers)
  }
  return HttpClientRequest.post(spec.url).pipe(
    HttpClientRequest.setHeaders(headers),
    HttpClientRequest.bodyJsonUnsafe(spec.body ?? defaultBody(spec))
  )
}
