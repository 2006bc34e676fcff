import { assert, describe, it } from "@effect/vitest"
import { Dialects, ProtocolError } from "@streamguard/protocols"
import { Result } from "effect"

const detected = (contentType: string, path: string) =>
  Result.map(Dialects.detect({ contentType, path }), (dialect) => dialect.name)

const reason = (contentType: string, path: string) => {
  const result = Dialects.detect({ contentType, path })
  if (Result.isSuccess(result)) throw new Error(`detected ${result.success.name}`)
  assert.instanceOf(result.failure, ProtocolError.UnknownDialect)
  assert.strictEqual(result.failure.outcome, "protocol_error")
  return result.failure.reason
}

describe("Dialects.detect", () => {
  it("picks each dialect from its path and streaming content type", () => {
    const sse = "text/event-stream; charset=utf-8"
    assert.deepStrictEqual(detected(sse, "/v1/chat/completions"), Result.succeed("openaiChat"))
    assert.deepStrictEqual(
      detected(sse, "/openai/deployments/x/chat/completions?api-version=1"),
      Result.succeed("openaiChat")
    )
    assert.deepStrictEqual(detected(sse, "/v1/responses"), Result.succeed("openaiResponses"))
    assert.deepStrictEqual(detected(sse, "/v1/messages"), Result.succeed("anthropic"))
    assert.deepStrictEqual(detected("application/x-ndjson", "/api/chat"), Result.succeed("ollama"))
    assert.deepStrictEqual(detected("application/x-ndjson", "/api/generate"), Result.succeed("ollama"))
    assert.deepStrictEqual(
      detected("text/event-stream", "/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse"),
      Result.succeed("gemini")
    )
    assert.deepStrictEqual(detected("Text/Event-Stream", "/mcp"), Result.succeed("mcp"))
  })

  it("takes Gemini without alt=sse (one JSON array) as gemini too, and fails on other bodies naming both forms", () => {
    assert.deepStrictEqual(
      detected("application/json; charset=UTF-8", "/v1beta/models/gemini-pro:streamGenerateContent"),
      Result.succeed("gemini")
    )
    assert.include(reason("text/html", "/v1beta/models/gemini-pro:streamGenerateContent"), "JSON array")
  })

  it("fails when the content type is not a stream (a JSON error body on a streaming path)", () => {
    assert.include(reason("application/json", "/v1/chat/completions"), "not a stream")
    assert.include(reason("text/event-stream", "/api/chat"), "not a stream")
  })

  it("fails on a path no dialect owns, since bare SSE could be any dialect", () => {
    assert.include(reason("text/event-stream", "/stream"), "no known dialect")
  })

  it("byName has every provider dialect under its shared name", () => {
    for (const [name, dialect] of Object.entries(Dialects.byName)) assert.strictEqual(dialect.name, name)
    assert.strictEqual(Object.keys(Dialects.byName).length, 6)
  })
})
