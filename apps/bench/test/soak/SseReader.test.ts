import { afterAll, assert, beforeAll, describe, it } from "@effect/vitest"
import * as Dialects from "@streamguard/kernel/protocols/Dialects"
import * as SimulatorServer from "@streamguard/kernel/simulator/SimulatorServer"
import * as StreamEvent from "@streamguard/kernel/StreamEvent"
import * as SoakTraffic from "../../src/soak/SoakTraffic.js"
import { SseReader } from "../../src/soak/SseReader.js"

const dialects = [
  ["openaiChat", "/v1/chat/completions"],
  ["openaiResponses", "/v1/responses"],
  ["anthropic", "/v1/messages"]
] as const

// The simulator the soak runs against, on loopback: its own bytes for each endpoint.
let simulator: SimulatorServer.SimulatorServer
beforeAll(async () => {
  simulator = await SimulatorServer.start()
})
afterAll(() => simulator.close())

const bytesOf = async (endpoint: SoakTraffic.Endpoint, chunks: number): Promise<string> => {
  const response = await fetch(`${simulator.url}${endpoint}`, {
    method: "POST",
    headers: { "content-type": "application/json", "anthropic-version": "2023-06-01" },
    body: SoakTraffic.body(endpoint, SoakTraffic.model({ chunks, gapMillis: 0 }))
  })
  assert.strictEqual(response.status, 200)
  return response.text()
}

// Fed in pieces that cut lines anywhere.
const read = (text: string, piece: number): SseReader => {
  const reader = new SseReader()
  for (let i = 0; i < text.length; i += piece) reader.feed(text.slice(i, i + piece))
  return reader
}

describe("SseReader", () => {
  for (const [dialect, endpoint] of dialects) {
    it(`reads ${dialect}'s content and done, however the body is cut`, async () => {
      const text = await bytesOf(endpoint, 12)
      for (const piece of [1, 7, text.length]) {
        const reader = read(text, piece)
        assert.strictEqual(reader.content, SoakTraffic.words(12))
        assert.strictEqual(reader.chunks, 12)
        assert.isTrue(reader.done)
        assert.isUndefined(reader.error)
      }
    })

    it(`${dialect}: a body cut before its done is not done`, async () => {
      const text = await bytesOf(endpoint, 3)
      const withoutDone = dialect === "openaiChat"
        ? text.slice(0, text.indexOf("data: [DONE]"))
        : text.slice(0, text.lastIndexOf("event: "))
      assert.isFalse(read(withoutDone, 5).done)
    })

    it(`${dialect}: the gateway's in-band error event gives its type, and keep-alives are counted`, () => {
      const encoding = Dialects.byName[dialect]
      const keepalive = encoding.encode(StreamEvent.Keepalive({ bytes: 0 }))
      const error = encoding.encode(encoding.errorEvent({ type: "chunk_timeout", message: "no chunk for 30 s" }))
      const reader = read(keepalive + keepalive + error, 3)
      assert.strictEqual(reader.error, "chunk_timeout")
      assert.isFalse(reader.done)
      assert.strictEqual(reader.comments, 2)
    })
  }
})
