import { assert, describe, it } from "@effect/vitest"
import { Dialects, ProtocolError } from "@streamguard/protocols-effect3"
import { Either } from "effect"

const detected = (contentType: string, path: string) =>
  Either.map(Dialects.detect({ contentType, path }), (dialect) => dialect.name)

const reason = (contentType: string, path: string) => {
  const result = Dialects.detect({ contentType, path })
  if (Either.isRight(result)) throw new Error(`detected ${result.right.name}`)
  assert.instanceOf(result.left, ProtocolError.UnknownDialect)
  assert.strictEqual(result.left.outcome, "protocol_error")
  return result.left.reason
}

describe("Dialects.detect", () => {
  it("picks each dialect from its path and streaming content type", () => {
    const sse = "text/event-stream; charset=utf-8"
    assert.deepStrictEqual(detected(sse, "/v1/chat/completions"), Either.right("openaiChat"))
    assert.deepStrictEqual(
      detected(sse, "/openai/deployments/x/chat/completions?api-version=1"),
      Either.right("openaiChat")
    )
    assert.deepStrictEqual(detected(sse, "/v1/responses"), Either.right("openaiResponses"))
    assert.deepStrictEqual(detected(sse, "/v1/messages"), Either.right("anthropic"))
    assert.deepStrictEqual(detected("application/x-ndjson", "/api/chat"), Either.right("ollama"))
    assert.deepStrictEqual(detected("application/x-ndjson", "/api/generate"), Either.right("ollama"))
    assert.deepStrictEqual(
      detected("text/event-stream", "/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse"),
      Either.right("gemini")
    )
    assert.deepStrictEqual(detected("Text/Event-Stream", "/mcp"), Either.right("mcp"))
  })

  it("takes Gemini without alt=sse (one JSON array) as gemini too, and fails on other bodies naming both forms", () => {
    assert.deepStrictEqual(
      detected("application/json; charset=UTF-8", "/v1beta/models/gemini-pro:streamGenerateContent"),
      Either.right("gemini")
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
