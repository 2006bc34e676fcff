import type * as Dialect from "@streamguard/kernel/protocols/Dialect"
import * as Dialects from "@streamguard/kernel/protocols/Dialects"
import type * as Mcp from "@streamguard/kernel/protocols/Mcp"
import type * as StreamEvent from "@streamguard/kernel/StreamEvent"
import { assert, describe, it } from "vitest"
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

const listenBody = (id: number = 7) =>
  JSON.stringify({
    jsonrpc: "2.0",
    id,
    method: "subscriptions/listen",
    params: { notifications: { toolsListChanged: true } }
  })

describe("mcp listen streams (2026-07-28 subscriptions/listen)", () => {
  it("are told by the Mcp-Method header, else by the JSON-RPC method of the body", () => {
    const kind = (request: Dialect.StreamRequest) => mcp.streamKind?.(request)?.name
    assert.strictEqual(kind({ headers: { "mcp-method": "subscriptions/listen" } }), "subscriptions/listen")
    assert.strictEqual(kind({ headers: {}, body: encoder.encode(listenBody()) }), "subscriptions/listen")
    assert.strictEqual(kind({ headers: {}, body: listenBody() }), "subscriptions/listen")
    // The header is the request's own word for its method: a body that only mentions listen is not one.
    assert.isUndefined(kind({ headers: { "mcp-method": "tools/call" }, body: listenBody() }))
    const call = { jsonrpc: "2.0", id: 1, method: "tools/call", params: { name: "subscriptions/listen" } }
    assert.isUndefined(kind({ headers: {}, body: JSON.stringify(call) }))
    assert.isUndefined(kind({ headers: {}, body: "{not json subscriptions/listen" }))
    assert.isUndefined(kind({ headers: {} }))
  })

  it("are bounded by liveness alone: progress, total and minRate are lifted; their decoding knows them", () => {
    const kind = mcp.streamKind?.({ headers: { "mcp-method": "subscriptions/listen" } })
    assert.deepStrictEqual(kind?.unbounded, ["progress", "total", "minRate"])
    assert.deepStrictEqual(kind?.decode, { listen: true })
  })

  it("carry content in their notifications: the acknowledgement and every change; the closing result is done", () => {
    const message = (json: object) => `event: message\ndata: ${JSON.stringify(json)}\n\n`
    const meta = { _meta: { "io.modelcontextprotocol/subscriptionId": 7 } }
    const bytes = encoder.encode(
      message({
        jsonrpc: "2.0",
        method: "notifications/subscriptions/acknowledged",
        params: { notifications: { toolsListChanged: true }, ...meta }
      }) +
        ": keepalive\n\n" +
        message({ jsonrpc: "2.0", method: "notifications/tools/list_changed", params: meta }) +
        message({ jsonrpc: "2.0", id: 3, method: "ping" }) +
        message({ jsonrpc: "2.0", method: "notifications/resources/updated", params: { uri: "file:///a", ...meta } }) +
        message({ jsonrpc: "2.0", id: 7, result: { resultType: "complete", ...meta } })
    )
    const tags = (events: ReadonlyArray<StreamEvent.StreamEvent<Mcp.JsonRpcMessage>>) =>
      events.map((event) => event._tag)
    assert.deepStrictEqual(tags(decodeOk(mcp, [bytes], { listen: true, requestId: 7 })), [
      "Chunk",
      "Keepalive",
      "Chunk",
      "Keepalive",
      "Chunk",
      "Done"
    ])
    // On any other stream those notifications prove the server alive, not that a tool advances.
    assert.deepStrictEqual(tags(decodeOk(mcp, [bytes], { requestId: 7 })), [
      "Keepalive",
      "Keepalive",
      "Keepalive",
      "Keepalive",
      "Keepalive",
      "Done"
    ])
  })
})
