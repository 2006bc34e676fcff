import type * as Dialect from "@streamguard/kernel/protocols/Dialect"
import * as Dialects from "@streamguard/kernel/protocols/Dialects"
import type * as StreamEvent from "@streamguard/kernel/StreamEvent"
import * as fc from "fast-check"
import { assert, describe, it } from "vitest"
import { cutAt, decodeOk, encoder } from "./fixtures/wire.js"

const all: ReadonlyArray<Dialect.Dialect<any>> = [...Object.values(Dialects.byName), Dialects.sse()]

const text = fc.oneof(
  fc.string({ minLength: 1 }),
  fc.string({ minLength: 1, unit: "grapheme" }),
  fc.fullUnicodeString({ minLength: 1 })
)
  // Generic SSE data cannot hold a CR (it is a line end) and `[DONE]` is its done signal.
  .filter((s) => !s.includes("\r") && s !== "[DONE]")

const meta = fc.record({ id: fc.string({ maxLength: 8 }), model: fc.string({ maxLength: 8 }) })

const inBandError = fc.record({
  message: fc.string(),
  type: fc.constantFrom("chunk_timeout", "overloaded_error", "server_error", "protocol_error"),
  code: fc.option(fc.constantFrom("timeout", 504), { nil: undefined }),
  elapsedMillis: fc.nat()
})

type Script = { readonly middle: ReadonlyArray<{ readonly text: string } | "ping">; readonly end: unknown }

const script = fc.record({
  meta,
  middle: fc.array(fc.oneof(fc.record({ text }), fc.constant("ping" as const)), { maxLength: 12 }),
  end: fc.oneof(fc.constant("closing" as const), fc.constant("truncated" as const), inBandError)
})

/** A well-formed event sequence in the dialect: opening frames, content and pings, then an ending. */
const events = <A>(dialect: Dialect.Dialect<A>, s: Script & { readonly meta: Dialect.ResponseMeta }) => [
  ...dialect.opening(s.meta),
  ...s.middle.map((item) => item === "ping" ? dialect.ping(s.meta) : dialect.textEvent(item.text, s.meta)),
  ...(s.end === "closing"
    ? dialect.closing(s.meta)
    : s.end === "truncated"
    ? []
    : [dialect.errorEvent(s.end as Dialect.InBandError)])
]

const wire = <A>(dialect: Dialect.Dialect<A>, list: ReadonlyArray<StreamEvent.StreamEvent<NoInfer<A>>>) =>
  encoder.encode(list.map(dialect.encode).join(""))

/** The event as JSON sees it, without its size: payloads are JSON on the wire. */
const plain = (event: StreamEvent.StreamEvent<unknown>) => {
  const { bytes: _bytes, ...rest } = JSON.parse(JSON.stringify(event))
  return rest
}

describe("Dialect", () => {
  for (const dialect of all) {
    it(`${dialect.name}: decode(encode(events)) gives the events back`, () => {
      fc.assert(
        fc.property(script, (s) => {
          const list = events(dialect, s)
          const bytes = wire(dialect, list)
          const decoded = decodeOk(dialect, [bytes])
          // What has no wire form (a keepalive in NDJSON) cannot come back; Gemini's Done is implicit.
          const expected = list.filter((event) => dialect.encode(event) !== "" || event._tag === "Done")
          assert.deepStrictEqual(decoded.map(plain), expected.map(plain))
          const total = decoded.reduce((sum, event) => sum + event.bytes, 0)
          assert.isTrue(total <= bytes.length && total >= bytes.length - 1, `${total} of ${bytes.length} bytes counted`)
        }),
        { numRuns: 150 }
      )
    }, 60_000)

    it(`${dialect.name}: re-chunking the bytes never changes the decoded events`, () => {
      fc.assert(
        fc.property(script, fc.array(fc.nat(), { maxLength: 30 }), (s, cuts) => {
          const bytes = wire(dialect, events(dialect, s))
          const whole = decodeOk(dialect, [bytes])
          assert.deepStrictEqual(decodeOk(dialect, cutAt(bytes, cuts.map((cut) => cut % (bytes.length + 1)))), whole)
        }),
        { numRuns: 150 }
      )
    }, 60_000)

    it(`${dialect.name}: text() reads back what textEvent wrote, and nothing from pings or endings`, () => {
      const event = dialect.textEvent("héllo 😀")
      assert.isTrue(event._tag === "Chunk" && dialect.text(event.value) === "héllo 😀")
      const [decoded] = decodeOk(dialect, [wire(dialect, [event])])
      assert.isTrue(decoded?._tag === "Chunk" && dialect.text(decoded.value) === "héllo 😀")
      for (const end of dialect.closing()) {
        if (end._tag !== "ErrorSignal" && end.value !== undefined) assert.isUndefined(dialect.text(end.value))
      }
      assert.isTrue(dialect.isPing(dialect.ping()) || dialect.framing === "ndjson")
    })
  }

  it("an error signal is decoded even when a done marker follows it", () => {
    const bytes = encoder.encode(
      Dialects.openaiChat.encode(Dialects.openaiChat.errorEvent({ message: "boom", type: "server_error" })) +
        "data: [DONE]\n\n"
    )
    const tags = decodeOk(Dialects.openaiChat, [bytes]).map((event) => event._tag)
    assert.deepStrictEqual(tags, ["ErrorSignal", "Done"])
  })

  it("gemini emits Done at EOF only after a finishReason", () => {
    const gemini = Dialects.gemini
    const content = wire(gemini, [gemini.textEvent("a")])
    assert.deepStrictEqual(decodeOk(gemini, [content]).map((event) => event._tag), ["Chunk"])
    const finished = wire(gemini, [gemini.textEvent("a"), ...gemini.closing()])
    assert.deepStrictEqual(decodeOk(gemini, [finished]).map((event) => event._tag), ["Chunk", "Keepalive", "Done"])
  })

  it("gemini treats a SAFETY finish and a blocked prompt as error signals", () => {
    const safety = encoder.encode(
      "data: {\"candidates\":[{\"content\":{\"parts\":[{\"text\":\"\"}]},\"finishReason\":\"SAFETY\"}]}\r\n\r\n" +
        "data: {\"promptFeedback\":{\"blockReason\":\"OTHER\"}}\r\n\r\n"
    )
    const decoded = decodeOk(Dialects.gemini, [safety])
    assert.deepStrictEqual(decoded.map((event) => event._tag === "ErrorSignal" ? event.errorType : event._tag), [
      "SAFETY",
      "OTHER"
    ])
  })

  it("ollama: a done line that carries content gives a Chunk then Done", () => {
    const line = encoder.encode("{\"message\":{\"role\":\"assistant\",\"content\":\"end\"},\"done\":true}\n")
    const decoded = decodeOk(Dialects.ollama, [line])
    assert.deepStrictEqual(decoded.map((event) => [event._tag, event.bytes]), [["Chunk", line.length], ["Done", 0]])
  })

  it("ollama decodes a last line without its LF when it is whole JSON, and drops a cut one", () => {
    const whole = decodeOk(Dialects.ollama, [encoder.encode("{\"done\":true}")])
    assert.deepStrictEqual(whole.map((event) => event._tag), ["Done"])
    assert.deepStrictEqual(decodeOk(Dialects.ollama, [encoder.encode("{\"done\":tr")]), [])
  })

  it("mcp: with requestId, only the matching response ends the stream; server requests are keepalives", () => {
    const bytes = encoder.encode(
      "event: message\ndata: {\"jsonrpc\":\"2.0\",\"id\":5,\"method\":\"ping\"}\n\n" +
        "event: message\ndata: {\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{}}\n\n" +
        "event: message\ndata: {\"jsonrpc\":\"2.0\",\"id\":2,\"error\":{\"code\":-32603,\"message\":\"x\"}}\n\n"
    )
    const decoded = decodeOk(Dialects.mcp, [bytes], { requestId: 2 })
    assert.deepStrictEqual(decoded.map((event) => event._tag === "ErrorSignal" ? event.errorType : event._tag), [
      "Keepalive",
      "Keepalive",
      "-32603"
    ])
    assert.isTrue(Dialects.mcp.isPing(decoded[0]!))
  })

  it("openaiResponses numbers each frame from meta.sequence on, and none without it", () => {
    const responses = Dialects.openaiResponses
    const meta = { id: "r1", text: "hi", sequence: 4 }
    const numbers = [
      ...responses.opening(meta),
      responses.textEvent("hi", { ...meta, sequence: 8 }),
      responses.ping(meta)
    ]
      .map((event) => event._tag === "ErrorSignal" ? undefined : event.value?.sequence_number)
    assert.deepStrictEqual(numbers, [4, 5, 6, 7, 8, 4])
    const closing = responses.closing(meta).map((event) => event._tag === "ErrorSignal" ? undefined : event.value)
    assert.deepStrictEqual(closing.map((value) => value?.sequence_number), [4, 5, 6, 7])
    assert.deepStrictEqual(closing.map((value) => value?.type), [
      "response.output_text.done",
      "response.content_part.done",
      "response.output_item.done",
      "response.completed"
    ])
    const unnumbered = responses.opening({ id: "r1" }).map((event) =>
      event._tag === "Keepalive" ? event.value : undefined
    )
    assert.isTrue(unnumbered.every((value) => value !== undefined && !("sequence_number" in value)))
  })

  it("responseBody answers the whole text, with the usage, in each provider's non-streaming shape", () => {
    const meta = { id: "x", model: "m", text: "hello", usage: { inputTokens: 3, outputTokens: 2 } }
    const bodies: Record<string, any> = Object.fromEntries(
      Object.values(Dialects.byName).map((dialect) => [dialect.name, dialect.responseBody(meta)])
    )
    assert.strictEqual(bodies.openaiChat.choices[0].message.content, "hello")
    assert.strictEqual(bodies.openaiChat.usage.total_tokens, 5)
    assert.strictEqual(bodies.openaiResponses.output[0].content[0].text, "hello")
    assert.strictEqual(bodies.openaiResponses.status, "completed")
    assert.strictEqual(bodies.anthropic.content[0].text, "hello")
    assert.strictEqual(bodies.anthropic.usage.output_tokens, 2)
    assert.strictEqual(bodies.ollama.message.content, "hello")
    assert.strictEqual(bodies.ollama.eval_count, 2)
    assert.strictEqual(bodies.gemini.candidates[0].content.parts[0].text, "hello")
    assert.strictEqual(bodies.mcp.result.content[0].text, "hello")
  })

  it("httpErrorBody types an HTTP status the way each provider does", () => {
    const types = Object.values(Dialects.byName).map((dialect) => {
      const body = dialect.httpErrorBody(429, "slow down", { requestId: 9 }) as any
      return [dialect.name, body.error.type ?? body.error.status ?? body.error.code ?? body.error]
    })
    assert.deepStrictEqual(Object.fromEntries(types), {
      openaiChat: "requests",
      openaiResponses: "requests",
      anthropic: "rate_limit_error",
      ollama: "slow down",
      gemini: "RESOURCE_EXHAUSTED",
      mcp: -32603
    })
  })

  it("mcp: progress carries the request's progress token and counts the tokens so far", () => {
    const event = Dialects.mcp.textEvent("a", {
      requestId: 1,
      progressToken: "p",
      usage: { inputTokens: 0, outputTokens: 3 }
    })
    assert.deepStrictEqual(event._tag === "Chunk" ? event.value.params : undefined, {
      progressToken: "p",
      progress: 3,
      message: "a"
    })
  })
})
