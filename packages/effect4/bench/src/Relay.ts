/**
 * The floor of a streaming relay on the Effect 4 line's undici (the one `@streamguard/client`
 * ships, and so the gateway's): a `node:http` server that forwards each `POST` to one upstream with
 * undici's `dispatch()`, with the options the client dispatches with (`Dispatch.options`), on an
 * `Agent` set up as the client's `layerUndici` sets up its own, and passes the response's bytes
 * through as they come. The bench runs it twice, once speaking HTTP/1.1 to the upstream and once
 * HTTP/2 (`allowH2`), so the difference between the two is the upstream leg's alone: the
 * gateway's own per-stream work would be the same on either.
 *
 * Plain Node and undici: what it measures is transport, and a relay this small has no error
 * taxonomy, timeouts or keep-alives of its own (the gateway has them, on either transport).
 *
 * @since 0.1.0
 */
import * as Dispatch from "@streamguard/kernel/client/Dispatch"
import * as Http from "node:http"
import type { AddressInfo } from "node:net"
import { Agent, type Dispatcher } from "undici"

/**
 * @since 0.1.0
 * @category models
 */
export interface Options {
  /** The upstream's origin, `https://127.0.0.1:<port>`. */
  readonly upstream: string
  /** Offer HTTP/2 to the upstream (ALPN picks it where the upstream speaks it), or HTTP/1.1 alone. */
  readonly http2: boolean
  /** The certificate authority the upstream's certificate is checked against. */
  readonly ca: string
}

/**
 * The upstream's dispatcher: the client's `layerUndici` Agent (undici's own connect, headers and
 * body timers off), with `allowH2` said either way. undici 8 allows HTTP/2 unless told not to: it
 * offers `http/1.1` and `h2` in ALPN, and a server that prefers `h2` (Node's, nginx's) picks it,
 * so the client's own Agent, which leaves `allowH2` at that default, already speaks HTTP/2 to such
 * a server. Over HTTP/2 undici multiplexes up to 100 streams on one connection
 * (`h2Options.maxConcurrentStreams`, or fewer where the upstream's SETTINGS say so) and opens
 * another connection past that.
 *
 * @since 0.1.0
 * @category constructors
 */
export const agent = (options: Options): Agent =>
  new Agent({
    connect: { timeout: 0, ca: options.ca },
    headersTimeout: 0,
    bodyTimeout: 0,
    allowH2: options.http2
  })

const relayHeaders = { "content-type": "text/event-stream; charset=utf-8", "cache-control": "no-cache" }

/** Relays one request's body to the upstream and the upstream's answer back, bytes as they come. */
const relay = (dispatcher: Dispatch.Dispatcher, upstream: URL, body: Buffer, response: Http.ServerResponse): void => {
  let upstreamController: Dispatcher.DispatchController | undefined
  let finished = false
  const handler: Dispatcher.DispatchHandler = {
    onRequestStart: (controller) => {
      upstreamController = controller
      if (finished) controller.abort(new Error("the client left"))
    },
    onResponseStart: (_controller, statusCode) => {
      response.writeHead(statusCode, relayHeaders)
    },
    onResponseData: (controller, chunk) => {
      if (!response.write(chunk)) controller.pause()
    },
    onResponseEnd: () => {
      finished = true
      response.end()
    },
    onResponseError: () => {
      finished = true
      if (!response.headersSent) response.writeHead(502)
      response.end()
    }
  }
  response.on("drain", () => upstreamController?.resume())
  response.on("close", () => {
    if (finished) return
    finished = true
    upstreamController?.abort(new Error("the client left"))
  })
  dispatcher.dispatch(
    Dispatch.options(upstream, "POST", { "content-type": "application/json" }, Dispatch.bytesBody(body)),
    handler
  )
}

/**
 * Starts the relay on a free loopback port; its URL once it listens.
 *
 * @since 0.1.0
 * @category constructors
 */
export const start = (options: Options): Promise<{ readonly url: string; readonly server: Http.Server }> => {
  const dispatcher = agent(options)
  const server = Http.createServer((request, response) => {
    const parts: Array<Buffer> = []
    request.on("data", (part: Buffer) => parts.push(part))
    request.on(
      "end",
      () => relay(dispatcher, new URL(request.url ?? "/", options.upstream), Buffer.concat(parts), response)
    )
  })
  return new Promise((resolve, reject) => {
    server.once("error", reject)
    // Node's default backlog (511) drops handshakes when thousands of streams open at once.
    server.listen({ port: 0, host: "127.0.0.1", backlog: 4096 }, () => {
      const { port } = server.address() as AddressInfo
      resolve({ url: `http://127.0.0.1:${port}`, server })
    })
  })
}
