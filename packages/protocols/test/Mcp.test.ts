import { assert, describe, it } from "@effect/vitest"
import { Dialects } from "@streamguard/protocols"
import { cutAt, decodeOk, encoder, singleBytes } from "./fixtures/wire.js"

const mcp = Dialects.mcp

const result = "event: message\ndata: {\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{\"content\":[]}}\n\n"

describe("mcp", () => {
  describe("priming events (2025-11-25: an id and empty data, before anything else)", () => {
    for (
      const priming of [
        "id: 0\ndata:\n\n",
        "id: 0\ndata: \n\n",
        "id: 0\ndata\n\n",
        "id: abc_1\r\nretry: 1000\r\ndata: \r\n\r\n"
      ]
    ) {
      it(`${JSON.stringify(priming)} is a keepalive (a ping), never content and never an error`, () => {
        const bytes = encoder.encode(priming + result)
        const events = decodeOk(mcp, [bytes])
        assert.deepStrictEqual(events.map((event) => event._tag), ["Keepalive", "Done"])
        assert.isTrue(mcp.isPing(events[0]!))
        // Every byte counted once (the LF of a CRLF goes to the event after it).
        assert.strictEqual(events[0]!.bytes + events[1]!.bytes, bytes.length)
        assert.deepStrictEqual(decodeOk(mcp, singleBytes(bytes)), events)
        assert.deepStrictEqual(decodeOk(mcp, cutAt(bytes, [priming.length - 1])), events)
      })
    }
  })
})
