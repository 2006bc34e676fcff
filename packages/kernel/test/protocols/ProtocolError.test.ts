import * as Dialects from "@streamguard/kernel/protocols/Dialects"
import type * as Mcp from "@streamguard/kernel/protocols/Mcp"
import * as ProtocolError from "@streamguard/kernel/protocols/ProtocolError"
import type * as StreamEvent from "@streamguard/kernel/StreamEvent"
import { assert, describe, it } from "vitest"
import { encoder } from "./fixtures/wire.js"

const kib = 1024

describe("ProtocolError", () => {
  it("excerpt keeps short text whole and cuts long text on a character boundary", () => {
    assert.strictEqual(ProtocolError.excerpt("short"), "short")
    const cut = ProtocolError.excerpt("日".repeat(100))
    assert.strictEqual(cut, "日".repeat(66))
  })

  it("excerptBytes cuts bytes on a character boundary, never inside one", () => {
    const bytes = new TextEncoder().encode("a" + "😀".repeat(60))
    const cut = ProtocolError.excerptBytes(bytes, 10)
    assert.strictEqual(cut, "a" + "😀".repeat(2))
  })

  it("each failure's message names what went wrong, with the excerpt quoted", () => {
    assert.strictEqual(
      ProtocolError.message(ProtocolError.protocolError("openaiChat", "invalid JSON in a frame", "{oops")),
      "openaiChat: invalid JSON in a frame: \"{oops\""
    )
    assert.strictEqual(
      ProtocolError.message(ProtocolError.eventTooLarge("ollama", 1024)),
      "ollama: one event exceeded the limit of 1024 bytes"
    )
    assert.strictEqual(
      ProtocolError.message(ProtocolError.unknownDialect("text/html", "/x", "no dialect")),
      "no stream dialect for content-type \"text/html\" at \"/x\": no dialect"
    )
  })

  it("a million comment lines in one SSE block count nothing toward the limit: the data after them decodes", () => {
    // The keepalives of a listen stream open for days: `:` lines with no blank line between them.
    const decoder = Dialects.mcp.decoder({ maxEventBytes: 64 * kib })
    const piece = encoder.encode(":\r\n".repeat(10_000))
    let keepalives = 0
    for (let read = 0; read < 100; read++) {
      const out: Array<StreamEvent.StreamEvent<Mcp.JsonRpcMessage>> = []
      assert.isUndefined(decoder.push(piece, out))
      keepalives += out.length
    }
    assert.strictEqual(keepalives, 1_000_000)
    const out: Array<StreamEvent.StreamEvent<Mcp.JsonRpcMessage>> = []
    const failure = decoder.push(
      encoder.encode("event: message\r\ndata: {\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{}}\r\n\r\n"),
      out
    )
    assert.isUndefined(failure)
    assert.deepStrictEqual(out.map((event) => event._tag), ["Done"])
  })
})
