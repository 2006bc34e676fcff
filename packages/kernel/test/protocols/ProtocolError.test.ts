import * as ProtocolError from "@streamguard/kernel/protocols/ProtocolError"
import { assert, describe, it } from "vitest"

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
})
