import * as StreamKinds from "@streamguard/kernel/client/StreamKinds"
import * as Policy from "@streamguard/kernel/Policy"
import * as Dialects from "@streamguard/kernel/protocols/Dialects"
import { assert, describe, it } from "vitest"

const ops: StreamKinds.PolicyOps<Policy.Policy, Policy.Policy> = { merge: Policy.merge, without: Policy.without }
const profile: Policy.Policy = { chunk: 30_000, progress: 60_000, total: 120_000 }
const listen = JSON.stringify({ jsonrpc: "2.0", id: 7, method: "subscriptions/listen", params: {} })

describe("StreamKinds.request", () => {
  it("reads a body whole in memory (bytes, or raw text or bytes) and nothing else", () => {
    const bytes = new TextEncoder().encode("{}")
    assert.strictEqual(StreamKinds.request({}, { _tag: "Uint8Array", body: bytes }).body, bytes)
    assert.strictEqual(StreamKinds.request({}, { _tag: "Raw", body: "{}" }).body, "{}")
    assert.strictEqual(StreamKinds.request({}, { _tag: "Raw", body: bytes }).body, bytes)
    assert.isUndefined(StreamKinds.request({}, { _tag: "Raw", body: { pipe: () => {} } }).body)
    assert.isUndefined(StreamKinds.request({}, { _tag: "Stream" }).body)
    assert.isUndefined(StreamKinds.request({}, { _tag: "Empty" }).body)
  })
})

describe("StreamKinds.adjust", () => {
  it("an ordinary stream: the profile with the call's fields over it, the call's decode options", () => {
    const request = StreamKinds.request({}, { _tag: "Raw", body: "{}" })
    const adjusted = StreamKinds.adjust(Dialects.openaiChat, request, profile, { policy: { chunk: 5_000 } }, ops, {})
    assert.deepStrictEqual(adjusted, { policy: { chunk: 5_000, progress: 60_000, total: 120_000 }, decode: undefined })
  })

  it("an MCP listen stream: progress and total lifted, listen decoding; the call's own policy bounds it again", () => {
    const request = StreamKinds.request({}, { _tag: "Raw", body: listen })
    const lifted = StreamKinds.adjust(Dialects.mcp, request, profile, { decode: { requestId: 7 } }, ops, {})
    assert.strictEqual(lifted.policy.chunk, 30_000)
    // Lifted is no limit: the kernel's policies say so with Infinity.
    assert.strictEqual(lifted.policy.progress, Infinity)
    assert.strictEqual(lifted.policy.total, Infinity)
    assert.deepStrictEqual(lifted.decode, { listen: true, requestId: 7 })
    const bounded = StreamKinds.adjust(Dialects.mcp, request, profile, { policy: { total: 300 } }, ops, {})
    assert.strictEqual(bounded.policy.total, 300)
  })
})
