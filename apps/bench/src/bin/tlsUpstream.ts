/**
 * An LLM upstream over TLS that speaks HTTP/2 and HTTP/1.1 on one port, as OpenAI's and
 * Anthropic's do (ALPN picks; `node:http2`'s secure server with `allowHTTP1`), with the certificate
 * `--key FILE --cert FILE`; on a free loopback port announced over IPC. Every `POST` gets the
 * OpenAI chat role opener and then silence, until the client leaves: an idle stream. Written here
 * because the simulator serves HTTP/1.1 without TLS (`node:http`).
 *
 * It advertises 100 concurrent streams per connection (`SETTINGS_MAX_CONCURRENT_STREAMS`), the
 * least RFC 9113 recommends a server allow, and undici's own default cap.
 *
 * @since 0.1.0
 */
import * as Fs from "node:fs"
import * as Http2 from "node:http2"
import type { AddressInfo } from "node:net"
import { parseArgs } from "node:util"

const flags = parseArgs({ options: { key: { type: "string" }, cert: { type: "string" } } }).values
if (flags.key === undefined || flags.cert === undefined) throw new Error("tlsUpstream: --key and --cert are required")

const opener = `data: ${
  JSON.stringify({
    id: "chatcmpl-bench",
    object: "chat.completion.chunk",
    created: 0,
    model: "bench",
    choices: [{ index: 0, delta: { role: "assistant", content: "" }, finish_reason: null }]
  })
}\n\n`

const server = Http2.createSecureServer(
  {
    key: Fs.readFileSync(flags.key),
    cert: Fs.readFileSync(flags.cert),
    allowHTTP1: true,
    settings: { maxConcurrentStreams: 100 }
  },
  (request, response) => {
    request.resume()
    request.on("end", () => {
      response.writeHead(200, { "content-type": "text/event-stream; charset=utf-8", "cache-control": "no-cache" })
      response.write(opener)
    })
  }
)

// Its starter going away is the end.
process.once("disconnect", () => process.exit(0))

// Thousands of streams open at once: Node's default backlog (511) would drop handshakes.
server.listen({ port: 0, host: "127.0.0.1", backlog: 4096 }, () => {
  process.send?.({ url: `https://127.0.0.1:${(server.address() as AddressInfo).port}` })
})
