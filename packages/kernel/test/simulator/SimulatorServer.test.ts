import * as Dialects from "@streamguard/kernel/protocols/Dialects"
import type { RequestRecord } from "@streamguard/kernel/simulator/RequestRecord"
import * as SimulatorServer from "@streamguard/kernel/simulator/SimulatorServer"
import * as Net from "node:net"
import { afterEach, assert, describe, it } from "vitest"
import { FakeClock } from "../fixtures/FakeClock.js"
import { decodeOk } from "../protocols/fixtures/wire.js"

const servers: Array<SimulatorServer.SimulatorServer> = []
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()))
})

const start = async (options?: SimulatorServer.Options) => {
  const server = await SimulatorServer.start(options)
  servers.push(server)
  return server
}

const chat = (
  server: SimulatorServer.SimulatorServer,
  id: string,
  body: object,
  headers: Record<string, string> = {}
) =>
  fetch(`${server.url}/v1/chat/completions`, {
    method: "POST",
    headers: { "content-type": "application/json", "x-sim-request-id": id, ...headers },
    body: JSON.stringify({ messages: [{ role: "user", content: "Hi" }], ...body })
  })

const contentOf = (bytes: Uint8Array): string =>
  decodeOk(Dialects.byName.openaiChat, [bytes]).flatMap((event) =>
    event._tag === "Chunk" ? [Dialects.byName.openaiChat.text(event.value) ?? ""] : []
  ).join("")

/** The record once the server calls back, so the wait is the event itself (vitest bounds it). */
const finished = (server: SimulatorServer.SimulatorServer, id: string) =>
  new Promise<RequestRecord>((resolve) => server.whenFinished(id, resolve))

describe("SimulatorServer", () => {
  it("streams the scenario a model names over loopback, and records it", async () => {
    const server = await start()
    const response = await chat(server, "steady", { model: "sim:steady?chunks=3&gap=1ms", stream: true })
    assert.strictEqual(response.status, 200)
    assert.strictEqual(response.headers.get("content-type"), Dialects.byName.openaiChat.contentType)
    const content = contentOf(new Uint8Array(await response.arrayBuffer()))
    const record = await finished(server, "steady")
    assert.isAbove(content.length, 0)
    assert.include(record, { id: "steady", dialect: "openaiChat", status: 200, chunks: 3, end: "ended", stream: true })
    assert.strictEqual(record.scenarioName, "steady")
    assert.deepStrictEqual(server.records().map((r) => r.id), ["steady"])
    server.clear()
    assert.deepStrictEqual(server.records(), [])
  })

  it("answers a spec that does not parse with a 400 in the provider's shape, saying why", async () => {
    const server = await start()
    const response = await chat(server, "bad", { model: "sim:steady?chunkz=3", stream: true })
    assert.strictEqual(response.status, 400)
    const body = await response.json() as { readonly error: { readonly message: string } }
    assert.include(body.error.message, "chunkz: is unexpected")
  })

  it("plays every wait on the clock it is given: a byte leaves only when the clock reaches it", async () => {
    const clock = new FakeClock()
    clock.time = 1_000_000
    const server = await start({ clock })
    const script = [{ _tag: "Chunk", text: "a" }, { _tag: "Wait", duration: "10s" }, { _tag: "Chunk", text: "b" }, {
      _tag: "Done"
    }]
    const response = await chat(server, "timed", { model: "m", stream: true }, {
      "x-sim-scenario": JSON.stringify(script)
    })
    const reader = response.body!.getReader()
    // The role's frame and the first content go out as writes of their own: read until "a" is in.
    let read = new Uint8Array()
    while (contentOf(read) === "") {
      const next = await reader.read()
      assert.isFalse(next.done, "the body ended before its first content")
      read = new Uint8Array([...read, ...next.value!])
    }
    assert.strictEqual(contentOf(read), "a")
    const writes = server.record("timed")!.writes
    await clock.sleeping()
    clock.advance(9_999)
    assert.strictEqual(server.record("timed")!.writes, writes)
    clock.advance(1)
    assert.isAbove(server.record("timed")!.writes, writes)
    const record = await finished(server, "timed")
    assert.include(record, { startedAt: 1_000_000, lastWriteAt: 1_010_000, finishedAt: 1_010_000, end: "ended" })
    await reader.cancel()
  })

  it("sees the client close a stalled stream, stops it, and writes nothing after", async () => {
    const server = await start()
    const closed = new Promise<RequestRecord>((resolve) => server.whenClosed("gone", resolve))
    const response = await chat(server, "gone", { model: "sim:stall-after-1?gap=0", stream: true })
    const reader = response.body!.getReader()
    await reader.read()
    await reader.cancel()
    const record = await closed
    assert.strictEqual(record.end, "client_closed")
    assert.isNotNull(record.closedAt)
    const final = await finished(server, "gone")
    assert.strictEqual(final.writesAfterClose, 0)
  })

  it("a client that drops its connection mid-body leaves the server serving, and a body that is not JSON is a 400", async () => {
    const server = await start()
    await new Promise<void>((resolve, reject) => {
      const socket = Net.connect(server.port, "127.0.0.1", () => {
        socket.write("POST /v1/chat/completions HTTP/1.1\r\nhost: x\r\ncontent-length: 100\r\n\r\n{\"model\":")
        socket.destroy()
      })
      socket.once("close", () => resolve())
      socket.once("error", reject)
    })
    const notJson = await fetch(`${server.url}/v1/chat/completions`, { method: "POST", body: "{not json" })
    assert.strictEqual(notJson.status, 400)
    assert.include((await notJson.json() as { readonly error: { readonly message: string } }).error.message, "not JSON")
    const after = await chat(server, "after", { model: "sim:steady?chunks=1&gap=0", stream: true })
    assert.strictEqual(after.status, 200)
    await after.arrayBuffer()
  })

  it("close ends the stalled responses it still holds, and settles with their records final", async () => {
    const server = await SimulatorServer.start()
    const response = await chat(server, "stalled", { model: "sim:stall-after-0", stream: true })
    const body = response.arrayBuffer().then(() => "ended", () => "failed")
    await server.close()
    assert.include(["ended", "failed"], await body)
    assert.isNotNull(server.record("stalled")?.finishedAt)
    assert.strictEqual(server.record("stalled")?.writesAfterClose, 0)
  })
})
