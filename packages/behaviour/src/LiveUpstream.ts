/**
 * A real upstream on loopback, in plain Node (no Effect of any version): a node:http server that
 * answers each request as the test says, in the `openaiChat` dialect's wire format, and records
 * when it saw the client hang up, so a test proves the client closed its connection.
 *
 * @since 0.1.0
 */
import * as Http from "node:http"
import type * as Net from "node:net"

/**
 * One request the upstream received.
 *
 * @since 0.1.0
 * @category models
 */
export interface Exchange {
  readonly request: Http.IncomingMessage
  readonly response: Http.ServerResponse
  /**
   * Resolves with `Date.now()` at the first sign of the client hanging up its socket: its FIN, a
   * reset, or the close. The socket, not the response: a response finished on a kept-alive socket
   * is no close.
   */
  readonly closed: Promise<number>
  /** Whether the client has hung up. */
  readonly isClosed: () => boolean
  /** Frames `drip` wrote. */
  written: number
}

/**
 * @since 0.1.0
 * @category models
 */
export interface LiveUpstream {
  /** Where to POST: `http://127.0.0.1:<port>/v1/chat/completions`. */
  readonly url: string
  /** The `n`-th request (from 0), once it arrives; rejects if it has not within `withinMillis`. */
  readonly exchange: (n: number, withinMillis?: number) => Promise<Exchange>
  /** Closes the server and every connection it still holds. */
  readonly close: () => Promise<void>
}

/**
 * Resolves with `promise`'s value, or rejects with `what` once `millis` have passed without one:
 * a bounded wait that ends as soon as the thing waited for happens.
 *
 * @since 0.1.0
 * @category utils
 */
export const within = <A>(promise: Promise<A>, millis: number, what: string): Promise<A> => {
  let timer: ReturnType<typeof setTimeout> | undefined
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} within ${millis} ms`)), millis)
  })
  return Promise.race([promise, deadline]).finally(() => clearTimeout(timer))
}

/** A promise with its resolver, for a thing that happens once. */
const deferred = <A>() => {
  let resolve!: (value: A) => void
  const promise = new Promise<A>((r) => (resolve = r))
  return { promise, resolve }
}

type Handler = (exchange: Exchange) => void

const record = (request: Http.IncomingMessage, response: Http.ServerResponse): Exchange => {
  const hungUp = deferred<number>()
  let closed = false
  const onHangUp = () => {
    if (closed) return
    closed = true
    hungUp.resolve(Date.now())
  }
  request.socket.once("end", onHangUp).once("error", onHangUp).once("close", onHangUp)
  return { request, response, closed: hungUp.promise, isClosed: () => closed, written: 0 }
}

/**
 * Starts an upstream on 127.0.0.1 (a free port) that hands each request to `handler`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const start = (handler: Handler): Promise<LiveUpstream> => {
  const arrived: Array<ReturnType<typeof deferred<Exchange>>> = []
  const slot = (n: number) => (arrived[n] ??= deferred<Exchange>())
  let count = 0
  const server = Http.createServer((request, response) => {
    const exchange = record(request, response)
    slot(count++).resolve(exchange)
    handler(exchange)
  })
  return new Promise((resolve) =>
    server.listen(0, "127.0.0.1", () => {
      const port = (server.address() as Net.AddressInfo).port
      resolve({
        url: `http://127.0.0.1:${port}/v1/chat/completions`,
        exchange: (n, withinMillis = 2000) => within(slot(n).promise, withinMillis, `no request ${n} arrived`),
        close: () =>
          new Promise<void>((done) => {
            server.closeAllConnections()
            server.close(() => done())
          })
      })
    })
  )
}

/**
 * Writes `frame(n)` every `everyMillis` until the client hangs up: an upstream that goes on
 * generating until it sees the close.
 *
 * @since 0.1.0
 * @category answers
 */
export const drip = (exchange: Exchange, everyMillis: number, frame: (n: number) => string): void => {
  const timer = setInterval(() => {
    if (exchange.isClosed() || exchange.response.destroyed) return clearInterval(timer)
    exchange.response.write(frame(exchange.written++))
  }, everyMillis)
  exchange.closed.then(() => clearInterval(timer))
}

/**
 * Sends the status and the headers of an event stream at once.
 *
 * @since 0.1.0
 * @category answers
 */
export const eventStream = (exchange: Exchange): void => {
  exchange.response.writeHead(200, { "content-type": "text/event-stream" })
  exchange.response.flushHeaders()
}

/**
 * One `openaiChat` content frame.
 *
 * @since 0.1.0
 * @category frames
 */
export const chunk = (content: string): string =>
  `data: ${
    JSON.stringify({
      id: "chatcmpl-1",
      object: "chat.completion.chunk",
      created: 0,
      model: "m",
      choices: [{ index: 0, delta: { content }, finish_reason: null }]
    })
  }\n\n`

/**
 * The `openaiChat` done frame.
 *
 * @since 0.1.0
 * @category frames
 */
export const done = "data: [DONE]\n\n"

/**
 * An SSE comment: a keepalive.
 *
 * @since 0.1.0
 * @category frames
 */
export const keepalive = ": keep-alive\n\n"

/**
 * The `openaiChat` in-band error frame.
 *
 * @since 0.1.0
 * @category frames
 */
export const errorFrame = `data: ${JSON.stringify({ error: { type: "server_error", message: "boom" } })}\n\n`
