import type * as Dialect from "@streamguard/kernel/protocols/Dialect"
import * as Ollama from "@streamguard/kernel/protocols/Ollama"
import * as Sse from "@streamguard/kernel/protocols/Sse"
import * as StreamEvent from "@streamguard/kernel/StreamEvent"
import { createParser } from "eventsource-parser"
import * as fc from "fast-check"
import { assert, describe, it } from "vitest"
import { cutAt, decodeOk, decodeSync, encoder, singleBytes } from "./fixtures/wire.js"

const dialect = Sse.sse()

const decodeText = (text: string) => decodeOk(dialect, [encoder.encode(text)])

/**
 * The last event ID (WHATWG's `lastEventId`) at each dispatched event, line by line: set by any
 * `id` field, in a block with data or without, and kept until the next. eventsource-parser reports
 * only the `id` of an event's own block, so the reference takes its ids from here.
 */
const lastEventIds = (text: string): Array<string | undefined> => {
  const ids: Array<string | undefined> = []
  let last: string | undefined
  let data = false
  // The piece after the last line end is an unfinished line: never processed.
  const lines = text.replace(/^\uFEFF/, "").split(/\r\n|\r|\n/).slice(0, -1)
  for (const line of lines) {
    if (line === "") {
      if (data) ids.push(last)
      data = false
    } else if (!line.startsWith(":")) {
      const colon = line.indexOf(":")
      const field = colon === -1 ? line : line.slice(0, colon)
      const value = colon === -1 ? "" : line.slice(colon + 1).replace(/^ /, "")
      if (field === "data") data = true
      else if (field === "id" && !value.includes("\0")) last = value
    }
  }
  return ids
}

/** What eventsource-parser (the reference) makes of a whole text, with WHATWG's last event IDs. */
const reference = (text: string) => {
  const events: Array<Sse.SseMessage> = []
  let comments = 0
  const parser = createParser({
    onEvent: (event) => events.push({ event: event.event ?? "message", data: event.data }),
    onComment: () => comments++
  })
  // eventsource-parser holds a final CR until it sees whether an LF follows; at EOF it is a line
  // end, and CRLF is the same line end, so the reference gets the LF it waits for.
  const whole = text.endsWith("\r") ? text + "\n" : text
  parser.feed(whole)
  const ids = lastEventIds(whole)
  assert.strictEqual(ids.length, events.length)
  return {
    events: events.map((event, i) => ids[i] === undefined ? event : { ...event, id: ids[i] }),
    comments
  }
}

const ours = (pieces: ReadonlyArray<Uint8Array>) => {
  const decoded = decodeOk(dialect, pieces)
  return {
    events: decoded.flatMap((event) => event._tag === "Chunk" || event._tag === "Done" ? [event.value!] : []),
    comments: decoded.filter((event) => event._tag === "Keepalive" && event.value === undefined).length
  }
}

/**
 * SSE-looking text from pieces that exercise every rule. It opens with a `retry` line, which both
 * parsers ignore, because our framer rejects a body whose first line is JSON (see internal/framing.ts).
 */
const sseText = fc.array(
  fc.constantFrom(
    "data",
    "data:",
    "data: ",
    "event:",
    "event: ping",
    "id:",
    "id: 7",
    "retry: 10",
    "unknown: x",
    ":",
    ": comment",
    " ",
    ":",
    "x",
    "é",
    "😀",
    "\n",
    "\n",
    "\r",
    "\r\n",
    "\r\n",
    "\n\n",
    "[DONE]",
    "\uFEFF",
    // Whole lines and events, so ids meet the events after them often enough.
    "id: 8\n\n",
    "data: x\n\n"
  ),
  { maxLength: 60 }
).map((parts) => "retry: 1\n" + parts.join(""))

/** Lines near a small limit: kept fields (data, event, id) beside long lines that count nothing. */
const limitText = fc.array(
  fc.constantFrom(
    "data: 0123456789\n",
    "data\n",
    "event: e\n",
    "id: 1\n",
    "x-field: 0123456789\n",
    "retry: 1000\n",
    ": comment 0123456789\n",
    "\n"
  ),
  { maxLength: 20 }
).map((lines) => lines.join(""))

/**
 * JSON string values as bytes: ASCII, multi-byte characters, and lone bytes that are not UTF-8
 * (each decodes to U+FFFD).
 */
const mixedValues = fc.array(
  fc.array(
    fc.oneof(
      fc.constantFrom("a", "ok", " ", "é", "😀", "日本", "\\u00e9").map((part) => Array.from(encoder.encode(part))),
      fc.constantFrom([0x80], [0xff], [0xc3], [0xe6, 0x97])
    ),
    { maxLength: 6 }
  ).map((parts) => parts.flat()),
  { minLength: 1, maxLength: 30 }
)

/** The values as a stream: each one a JSON object in its frame (`data: …` and a blank line, or a line). */
const framed = (values: ReadonlyArray<ReadonlyArray<number>>, head: string, tail: string): Uint8Array =>
  Uint8Array.from(values.flatMap((value) => [...encoder.encode(head), ...value, ...encoder.encode(tail)]))

/** `bytes` cut at `cuts`, as Uint8Arrays and as Buffers, decode as they do byte by byte: `events` of them. */
const decodesAlike = <A>(
  dialect: Dialect.Dialect<A>,
  bytes: Uint8Array,
  cuts: ReadonlyArray<number>,
  events: number
) => {
  const pieces = cutAt(bytes, cuts.map((cut) => cut % (bytes.length + 1)))
  const expected = decodeSync(dialect, singleBytes(bytes))
  assert.isUndefined(expected.failure)
  assert.strictEqual(expected.events.length, events)
  assert.deepStrictEqual(decodeSync(dialect, pieces), expected)
  assert.deepStrictEqual(decodeSync(dialect, pieces.map((piece) => Buffer.from(piece))), expected)
}

describe("SSE framing", () => {
  it("a network read decodes alike whole or field by field, Buffer or not, whatever its bytes", () => {
    // Single bytes are never a whole field's read: each field is decoded on its own, the reference.
    fc.assert(
      fc.property(mixedValues, fc.array(fc.nat(), { maxLength: 24 }), (values, cuts) => {
        decodesAlike(Sse.sse(), framed(values, "data: {\"t\":\"", "\"}\n\n"), cuts, values.length)
        decodesAlike(Ollama.ollama, framed(values, "{\"message\":{\"content\":\"", "\"}}\n"), cuts, values.length)
      }),
      { numRuns: 300 }
    )
  }, 60_000)

  it("matches eventsource-parser on any text, however the bytes are split", () => {
    fc.assert(
      fc.property(sseText, fc.array(fc.nat(), { maxLength: 12 }), (text, cuts) => {
        const bytes = encoder.encode(text)
        const expected = reference(text)
        assert.deepStrictEqual(ours([bytes]), expected)
        assert.deepStrictEqual(ours(cutAt(bytes, cuts.map((cut) => cut % (bytes.length + 1)))), expected)
      }),
      { numRuns: 500 }
    )
  }, 60_000)

  it("under a small maxEventBytes, the same text decodes or fails alike however the bytes are split", () => {
    fc.assert(
      fc.property(limitText, fc.array(fc.nat(), { maxLength: 12 }), fc.integer({ min: 4, max: 40 }), (
        text,
        cuts,
        limit
      ) => {
        const bytes = encoder.encode(text)
        // What a stream of the decoding would give: the events, or the failure alone.
        const decode = (pieces: ReadonlyArray<Uint8Array>) => {
          const { events, failure } = decodeSync(dialect, pieces, { maxEventBytes: limit })
          return failure === undefined ? events : failure._tag
        }
        const whole = decode([bytes])
        assert.deepStrictEqual(decode(cutAt(bytes, cuts.map((cut) => cut % (bytes.length + 1)))), whole)
        assert.deepStrictEqual(decode(singleBytes(bytes)), whole)
      }),
      { numRuns: 500 }
    )
  }, 60_000)

  it("accepts CRLF, CR and LF line ends, a BOM, multi-line data, and skips retry and unknown fields", () => {
    const text = "\uFEFFretry: 1000\r\nfoo: bar\revent: a\ndata: one\r\ndata:two\r\rid: 9\ndata\n\n"
    const events = decodeText(text)
    assert.deepStrictEqual(events.map((event) => event._tag === "Chunk" ? event.value : undefined), [
      { event: "a", data: "one\ntwo" },
      { event: "message", data: "", id: "9" }
    ])
  })

  it("an id sets the last event ID of every event after it, from a block with data or without (WHATWG)", () => {
    const events = decodeText("data: a\n\nid: 5\n\ndata: b\n\ndata: c\n\nid: 6\ndata: d\n\nid\ndata: e\n\n")
    assert.deepStrictEqual(events.map((event) => event._tag === "Chunk" ? event.value.id : "?"), [
      undefined,
      "5",
      "5",
      "6",
      ""
    ])
  })

  it("comments are keepalives without payload, emitted as soon as their line ends", () => {
    const events = decodeOk(dialect, [encoder.encode(": keep-alive\n")])
    assert.deepStrictEqual(events, [StreamEvent.Keepalive({ bytes: 13 })])
  })

  it("counts each event's wire bytes; blank lines after a comment and the LF of a CRLF go to the next event", () => {
    const events = decodeText(": ping\n\ndata: a\n\ndata: b\r\n\r\ndata: c\n\n")
    assert.deepStrictEqual(events.map((event) => event.bytes), [7, 1 + 9, 8 + 1 + 1, 1 + 8 + 1])
  })

  it("drops an event cut before its blank line at EOF, as the spec says", () => {
    assert.deepStrictEqual(decodeText("data: complete\n\ndata: cut"), [
      StreamEvent.Chunk({ value: { event: "message", data: "complete" }, bytes: 16 })
    ])
    assert.strictEqual(decodeText("data: [DONE]\n").length, 0)
  })

  it("a CR at the end of one network chunk and its LF at the start of the next make one line end", () => {
    const bytes = encoder.encode("data: a\r\n\r\ndata: b\r\n\r\n")
    const whole = decodeOk(dialect, [bytes])
    assert.strictEqual(whole.length, 2)
    for (let cut = 0; cut <= bytes.length; cut++) assert.deepStrictEqual(decodeOk(dialect, cutAt(bytes, [cut])), whole)
    assert.deepStrictEqual(decodeOk(dialect, singleBytes(bytes)), whole)
  })

  it("decodes multi-byte UTF-8 split between network chunks", () => {
    const text = "data: héllo wörld 😀 日本\n\n"
    const events = decodeOk(dialect, singleBytes(encoder.encode(text)))
    assert.deepStrictEqual(events.map((event) => event._tag === "Chunk" ? event.value.data : ""), [
      "héllo wörld 😀 日本"
    ])
  })

  it("sse(options) uses the caller's predicates for done, error and keepalive", () => {
    const custom = Sse.sse({
      isDone: (message) => message.event === "end",
      error: (message) => message.event === "fail" ? { errorType: "custom", message: message.data } : undefined,
      isKeepalive: (message) => message.event === "heartbeat"
    })
    const events = decodeOk(custom, [
      encoder.encode("event: heartbeat\ndata: x\n\ndata: tok\n\nevent: fail\ndata: boom\n\nevent: end\ndata: x\n\n")
    ])
    assert.deepStrictEqual(events.map((event) => event._tag), ["Keepalive", "Chunk", "ErrorSignal", "Done"])
    const error = events[2]!
    assert.isTrue(error._tag === "ErrorSignal" && error.errorType === "custom" && error.message === "boom")
  })

  it("the default sse() ends on [DONE] and types `event: error` from its JSON", () => {
    const events = decodeText(
      "event: error\ndata: {\"error\":{\"type\":\"overloaded\",\"message\":\"busy\"}}\n\ndata: [DONE]\n\n"
    )
    assert.deepStrictEqual(events.map((event) => event._tag), ["ErrorSignal", "Done"])
    const error = events[0]!
    assert.isTrue(error._tag === "ErrorSignal" && error.errorType === "overloaded" && error.message === "busy")
  })
})
