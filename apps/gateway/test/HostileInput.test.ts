import { assert, describe, it } from "@effect/vitest"
import { Duration, Effect } from "effect"
import { start } from "./GatewayUnderTest.js"
import * as RawHttp from "./RawHttp.js"

const chatBody = JSON.stringify({
  model: "sim:steady?chunks=1&gap=1ms",
  messages: [{ role: "user", content: "hi" }]
})

const head = (lines: ReadonlyArray<string>) =>
  ["POST /v1/chat/completions HTTP/1.1", "Host: x", ...lines].join("\r\n") + "\r\n\r\n"

/** The reason in an error body, whichever dialect shaped it. */
const reason = (body: string): { readonly type: string; readonly message: string } => {
  const json = JSON.parse(body)
  return json.type === "error" ? json.error : json.error
}

const post = (url: string, body: string | Uint8Array, headers: Record<string, string>) =>
  Effect.promise(() =>
    fetch(`${url}/v1/chat/completions`, { method: "POST", headers, body }).then(async (r) => ({
      status: r.status,
      text: await r.text()
    }))
  )

describe("hostile input", () => {
  it.live("each malformed request gets a 4xx with a reason, never a 500, and the gateway keeps serving", () =>
    Effect.gen(function*() {
      const gateway = yield* start()
      const port = RawHttp.portOf(gateway.url)
      const seen: Array<{ readonly name: string; readonly status: number; readonly message: string }> = []

      // Request smuggling: both framings at once, or two lengths that disagree. Node's parser
      // refuses these before any handler runs; the answer still says why.
      const framings = [
        {
          name: "content-length and transfer-encoding",
          text: head(["content-type: application/json", "content-length: 4", "transfer-encoding: chunked"]) +
            "0\r\n\r\n"
        },
        {
          name: "two different content-lengths",
          text: head(["content-type: application/json", "content-length: 2", "content-length: 40"]) + "{}"
        },
        {
          name: "headers over Node's limit",
          text: head(["content-type: application/json", `x-padding: ${"a".repeat(32 * 1024)}`])
        }
      ]
      for (const framing of framings) {
        const answer = yield* RawHttp.exchange(port, framing.text)
        assert.match(answer.text, /\r\nconnection: close\r\n/i, framing.name)
        seen.push({ name: framing.name, status: answer.status, message: reason(answer.body).message })
      }

      const invalidUtf8 = new Uint8Array([
        ...new TextEncoder().encode("{\"model\":\"sim:steady\",\"messages\":[{\"role\":\"user\",\"content\":\""),
        0xff,
        0xfe,
        ...new TextEncoder().encode("\"}]}")
      ])
      const bodies = [
        { name: "invalid UTF-8", body: invalidUtf8, type: "application/json" },
        { name: "text/plain", body: chatBody, type: "text/plain" },
        { name: "form data", body: "model=sim%3Asteady", type: "application/x-www-form-urlencoded" },
        { name: "multipart", body: "--b\r\n\r\nx\r\n--b--\r\n", type: "multipart/form-data; boundary=b" }
      ]
      for (const { body, name, type } of bodies) {
        const answer = yield* post(gateway.url, body, { "content-type": type })
        seen.push({ name, status: answer.status, message: reason(answer.text).message })
      }

      assert.deepStrictEqual(
        seen.map(({ name, status }) => `${name}: ${status}`),
        [
          "content-length and transfer-encoding: 400",
          "two different content-lengths: 400",
          "headers over Node's limit: 431",
          "invalid UTF-8: 400",
          "text/plain: 415",
          "form data: 415",
          "multipart: 415"
        ]
      )
      for (const { message, name } of seen) assert.isAbove(message.length, 0, name)
      assert.include(seen[3]!.message, "UTF-8")
      assert.include(seen[4]!.message, "application/json")

      const normal = yield* post(gateway.url, chatBody, { "content-type": "application/json" })
      assert.strictEqual(normal.status, 200)
      // fetch labels a string text/plain: a client that sends no content type at all is served.
      const noType = yield* RawHttp.exchange(
        port,
        head([`content-length: ${Buffer.byteLength(chatBody)}`, "connection: close"]) + chatBody
      )
      assert.strictEqual(noType.status, 200)
    }))

  it.live("a body that never finishes is cut by the body timeout with a 408 and a reason", () =>
    Effect.gen(function*() {
      const gateway = yield* start({ headersTimeout: Duration.millis(200), bodyTimeout: Duration.millis(300) })
      const answer = yield* RawHttp.exchange(
        RawHttp.portOf(gateway.url),
        head(["content-type: application/json", "content-length: 100"]),
        ["{\"model\":"]
      )
      assert.strictEqual(answer.status, 408)
      assert.strictEqual(reason(answer.body).type, "invalid_request_error")
      const normal = yield* post(gateway.url, chatBody, { "content-type": "application/json" })
      assert.strictEqual(normal.status, 200)
    }))
})
