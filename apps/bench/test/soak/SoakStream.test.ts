import { assert, describe, it } from "@effect/vitest"
import { type ChildProcess, spawn } from "node:child_process"
import type * as Http from "node:http"
import type * as Net from "node:net"
import { fileURLToPath } from "node:url"
import { Agent } from "undici"
import * as SoakStream from "../../src/soak/SoakStream.js"
import { chatChunk, refusedOrigin, serve, sseHead } from "./servers.js"

const request = (origin: string, signal?: AbortSignal): SoakStream.StreamRequest => ({
  origin,
  endpoint: "/v1/chat/completions",
  model: "m",
  chunks: 2,
  idleLimitMillis: 10_000,
  signal
})

/** One stream against a server answering with `handler`, on a fresh agent. */
const runAgainst = async (handler: Http.RequestListener, hooks?: SoakStream.Hooks): Promise<SoakStream.Ended> => {
  const server = await serve(handler)
  const agent = new Agent({ connections: null })
  try {
    return await SoakStream.run(agent, request(server.origin), hooks)
  } finally {
    await agent.destroy()
    await server.close()
  }
}

describe("SoakStream", () => {
  it("a complete answer is done, checked word by word, with its headers and first chunk timed", async () => {
    const seen: Array<string> = []
    const ended = await runAgainst((req, res) => {
      req.resume()
      sseHead(res)
      res.end(chatChunk("w0") + chatChunk(" w1") + "data: [DONE]\n\n")
    }, { onHeaders: () => seen.push("headers"), onFirstChunk: () => seen.push("first chunk") })
    assert.deepStrictEqual(ended, { outcome: "done", aborted: false, check: { lost: 0, duplicated: 0 } })
    assert.deepStrictEqual(seen, ["headers", "first chunk"])
  })

  it("a reset before the headers ends the stream as socket:ECONNRESET, without a rejection", async () => {
    const ended = await runAgainst((req) => req.socket.resetAndDestroy())
    assert.strictEqual(ended.outcome, "socket:ECONNRESET")
  })

  it.each([
    { cut: "a reset", outcome: "socket:ECONNRESET", end: (socket: Net.Socket) => socket.resetAndDestroy() },
    { cut: "a connection closed (no reset)", outcome: "socket:closed", end: (socket: Net.Socket) => socket.destroy() }
  ])("$cut in the middle of the body ends the stream as $outcome", async ({ end, outcome }) => {
    const ended = await runAgainst((req, res) => {
      req.resume()
      sseHead(res)
      res.write(chatChunk("w0"), () => res.socket === null ? undefined : end(res.socket))
    })
    assert.strictEqual(ended.outcome, outcome)
  })

  it("a refused connection is socket:ECONNREFUSED", async () => {
    const agent = new Agent({ connections: null })
    let ended: SoakStream.Ended
    try {
      ended = await SoakStream.run(agent, request(await refusedOrigin()))
    } finally {
      await agent.destroy()
    }
    assert.strictEqual(ended.outcome, "socket:ECONNREFUSED")
  })

  it("tells an error status, an in-band error and a body that ends without its done apart", async () => {
    const status = await runAgainst((req, res) => {
      req.resume()
      res.writeHead(503, { "content-type": "application/json" }).end("{}")
    })
    assert.strictEqual(status.outcome, "http_503")
    const inband = await runAgainst((req, res) => {
      req.resume()
      sseHead(res)
      res.end(chatChunk("w0") + `data: ${JSON.stringify({ error: { type: "chunk_timeout", message: "m" } })}\n\n`)
    })
    assert.strictEqual(inband.outcome, "inband:chunk_timeout")
    const cut = await runAgainst((req, res) => {
      req.resume()
      sseHead(res)
      res.end(chatChunk("w0"))
    })
    assert.strictEqual(cut.outcome, "unexpected_end")
  })

  it("a stream aborted through its signal says so", async () => {
    const controller = new AbortController()
    const server = await serve((req, res) => {
      req.resume()
      sseHead(res)
      res.write(chatChunk("w0"))
    })
    const agent = new Agent({ connections: null })
    let ended: SoakStream.Ended
    try {
      ended = await SoakStream.run(agent, request(server.origin, controller.signal), {
        onFirstChunk: () => controller.abort()
      })
    } finally {
      await agent.destroy()
      await server.close()
    }
    assert.isTrue(ended.aborted)
    assert.strictEqual(ended.outcome, "client:aborted")
  })

  it("a client out of descriptors labels each stream it cannot open descriptors:EMFILE, and carries on", async () => {
    const server = await serve((req, res) => {
      req.resume()
      sseHead(res)
      res.end(chatChunk("w0") + "data: [DONE]\n\n")
    })
    // A process of its own, its open-files limit (soft and hard) far below the 100 streams it opens at once.
    const fixture = fileURLToPath(new URL("fixtures/exhaust.ts", import.meta.url))
    let child: ChildProcess | undefined
    let output = ""
    let code: number | null
    try {
      child = spawn("sh", [
        "-c",
        `ulimit -n 64; exec "$0" --conditions=@streamguard/source --import tsx "$@"`,
        process.execPath,
        fixture,
        server.origin,
        "100"
      ], { stdio: ["ignore", "pipe", "inherit"] })
      child.stdout!.on("data", (bytes: Buffer) => (output += bytes.toString()))
      const exited = child
      code = await new Promise<number | null>((resolve) => exited.once("exit", resolve))
    } finally {
      if (child !== undefined && child.exitCode === null && child.signalCode === null) child.kill("SIGKILL")
      await server.close()
    }
    assert.strictEqual(code, 0)
    const outcomes = JSON.parse(output) as Record<string, number>
    assert.strictEqual(Object.values(outcomes).reduce((a, b) => a + b, 0), 100)
    assert.isAbove(outcomes["descriptors:EMFILE"] ?? 0, 0)
    assert.isAbove(outcomes["done"] ?? 0, 0)
  })
})
