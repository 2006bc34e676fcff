import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import * as Http from "node:http"
import { start } from "./GatewayUnderTest.js"
import * as RawHttp from "./RawHttp.js"

const limit = 1024
const part = "x".repeat(64 * 1024)
/** 2 MiB in 64 KiB parts: far over the limit, and more than the socket buffers hold. */
const parts = Array.from({ length: 32 }, () => part)

/** Node's own client, streaming `parts` (chunked unless a content-length is given), as SDKs on Node do. */
const nodeRequest = (url: string, path: string, headers: Record<string, string | number>) =>
  Effect.callback<{ readonly status: number; readonly json: any } | { readonly error: string }>((resume) => {
    const request = Http.request(`${url}${path}`, { method: "POST", headers }, (response) => {
      let text = ""
      response.on("data", (data) => text += data)
      response.on("end", () => resume(Effect.succeed({ status: response.statusCode!, json: JSON.parse(text) })))
    })
    request.on(
      "error",
      (error: Error & { code?: string }) => resume(Effect.succeed({ error: error.code ?? error.message }))
    )
    let next = 0
    const pump = (): void => {
      while (next < parts.length) {
        if (!request.write(parts[next++])) {
          request.once("drain", pump)
          return
        }
      }
      request.end()
    }
    pump()
  })

const fetchStreamed = (url: string, path: string, body: string | ReadableStream<Uint8Array>) =>
  Effect.promise(async () => {
    const response = await fetch(`${url}${path}`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body,
      duplex: "half"
    } as RequestInit)
    return {
      status: response.status,
      connection: response.headers.get("connection"),
      json: (await response.json()) as any
    }
  })

const chunkedStream = () =>
  new ReadableStream<Uint8Array>({
    start(controller) {
      for (const p of parts) controller.enqueue(new TextEncoder().encode(p))
      controller.close()
    }
  })

describe("an oversized request body", () => {
  it.live("with a content-length over the limit: 413 with a reason, read by fetch, node:http and a raw socket", () =>
    Effect.gen(function*() {
      const gateway = yield* start({ maxBodyBytes: limit })
      const fetched = yield* fetchStreamed(gateway.url, "/v1/chat/completions", parts.join(""))
      assert.strictEqual(fetched.status, 413)
      assert.strictEqual(fetched.connection, "close")
      assert.strictEqual(fetched.json.error.type, "request_too_large")
      assert.include(fetched.json.error.message, `${limit} bytes`)

      const viaNode = yield* nodeRequest(gateway.url, "/v1/chat/completions", {
        "content-type": "application/json",
        "content-length": parts.length * part.length
      })
      assert.deepStrictEqual("status" in viaNode ? viaNode.status : viaNode, 413)

      const raw = yield* RawHttp.exchange(
        RawHttp.portOf(gateway.url),
        "POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\ncontent-type: application/json\r\n" +
          `content-length: ${parts.length * part.length}\r\n\r\n`,
        parts
      )
      assert.strictEqual(raw.status, 413)
      assert.match(raw.text, /\r\nconnection: close\r\n/i)
      assert.strictEqual(JSON.parse(raw.body).error.type, "request_too_large")
      assert.isUndefined(raw.error)
    }))

  it.live("sent chunked: 413 with a reason in the endpoint's dialect, never a reset, for every client", () =>
    Effect.gen(function*() {
      const gateway = yield* start({ maxBodyBytes: limit })
      const fetched = yield* fetchStreamed(gateway.url, "/v1/messages", chunkedStream())
      assert.strictEqual(fetched.status, 413)
      assert.strictEqual(fetched.connection, "close")
      assert.strictEqual(fetched.json.type, "error")
      assert.strictEqual(fetched.json.error.type, "request_too_large")

      const viaNode = yield* nodeRequest(gateway.url, "/v1/chat/completions", { "content-type": "application/json" })
      assert.deepStrictEqual("status" in viaNode ? viaNode.json.error.type : viaNode, "request_too_large")

      const raw = yield* RawHttp.exchange(
        RawHttp.portOf(gateway.url),
        "POST /v1/responses HTTP/1.1\r\nHost: x\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\n\r\n",
        [...parts.map((p) => `${p.length.toString(16)}\r\n${p}\r\n`), "0\r\n\r\n"]
      )
      assert.strictEqual(raw.status, 413)
      assert.strictEqual(JSON.parse(raw.body).error.type, "request_too_large")
      assert.isUndefined(raw.error)
    }))

  it.live("a client still sending after the 413 and the gateway's close gets no reset (lingering close)", () =>
    Effect.gen(function*() {
      const gateway = yield* start({ maxBodyBytes: limit })
      const over = "y".repeat(limit + 1)
      const raw = yield* RawHttp.exchange(
        RawHttp.portOf(gateway.url),
        "POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\ncontent-type: application/json\r\n" +
          "transfer-encoding: chunked\r\n\r\n",
        [`${over.length.toString(16)}\r\n${over}\r\n`],
        [...parts.map((p) => `${p.length.toString(16)}\r\n${p}\r\n`), "0\r\n\r\n"]
      )
      assert.strictEqual(raw.status, 413)
      assert.isUndefined(raw.error)
    }))

  it.live("is refused as soon as the limit is crossed, without waiting for the rest of the body", () =>
    Effect.gen(function*() {
      const gateway = yield* start({ maxBodyBytes: limit })
      const over = "y".repeat(limit + 1)
      // The body is never finished: the answer can only come from the bytes counted so far.
      const raw = yield* RawHttp.exchange(
        RawHttp.portOf(gateway.url),
        "POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\ncontent-type: application/json\r\n" +
          "transfer-encoding: chunked\r\n\r\n",
        [`${over.length.toString(16)}\r\n${over}\r\n`]
      )
      assert.strictEqual(raw.status, 413)
      assert.isUndefined(raw.error)
      const after = yield* fetchStreamed(
        gateway.url,
        "/v1/chat/completions",
        JSON.stringify({ model: "sim:steady?chunks=1&gap=1ms", messages: [{ role: "user", content: "hi" }] })
      )
      assert.strictEqual(after.status, 200)
    }))
})
