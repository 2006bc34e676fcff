/**
 * A tiny upstream on loopback for socket tests: a node:http server whose handler the test writes,
 * recording for every exchange when its socket closed, so a test can prove the client hung up.
 */
import { Deferred, Duration, Effect, Exit, FiberId, Option } from "effect"
import type { Scope } from "effect"
import * as Http from "node:http"
import type * as Net from "node:net"

export interface Exchange {
  readonly request: Http.IncomingMessage
  readonly response: Http.ServerResponse
  /** Completed with `Date.now()` when the server saw the client hang up (FIN, reset or close). */
  readonly closed: Deferred.Deferred<number>
  /** Frames the handler wrote with `drip` before it saw the close. */
  written: number
}

export interface Upstream {
  readonly url: string
  readonly port: number
  readonly exchanges: Array<Exchange>
  /** Sockets that connected, including those with no request yet. */
  readonly sockets: Set<Net.Socket>
  /** The n-th exchange (from 0), waiting at most `within` for it to arrive. */
  readonly exchange: (n: number, within?: Duration.DurationInput) => Effect.Effect<Exchange>
}

export type Handler = (exchange: Exchange) => void

export const upstream = (handler: Handler): Effect.Effect<Upstream, never, Scope.Scope> =>
  Effect.acquireRelease(
    Effect.async<{ server: Http.Server; upstream: Upstream }>((resume) => {
      const exchanges: Array<Exchange> = []
      const sockets = new Set<Net.Socket>()
      const arrived: Array<Deferred.Deferred<Exchange>> = []
      const slot = (n: number) => (arrived[n] ??= Deferred.unsafeMake<Exchange>(FiberId.none))
      const server = Http.createServer((request, response) => {
        const exchange: Exchange = {
          request,
          response,
          closed: Deferred.unsafeMake<number>(FiberId.none),
          written: 0
        }
        // The socket, not the response: a finished response on a kept-alive socket is not a close.
        // The first sign counts: the client's FIN ('end'), a reset ('error') or the close itself.
        const hungUp = () => Deferred.unsafeDone(exchange.closed, Exit.succeed(Date.now()))
        request.socket.once("end", hungUp).once("error", hungUp).once("close", hungUp)
        Deferred.unsafeDone(slot(exchanges.length), Exit.succeed(exchange))
        exchanges.push(exchange)
        handler(exchange)
      })
      server.on("connection", (socket) => {
        sockets.add(socket)
        socket.once("close", () => sockets.delete(socket))
      })
      server.listen(0, "127.0.0.1", () => {
        const port = (server.address() as Net.AddressInfo).port
        resume(Effect.succeed({
          server,
          upstream: {
            url: `http://127.0.0.1:${port}`,
            port,
            exchanges,
            sockets,
            exchange: (n, within = "2 seconds") =>
              Deferred.await(slot(n)).pipe(
                Effect.timeout(within),
                Effect.orDieWith(() => new Error(`exchange ${n} did not arrive`))
              )
          }
        }))
      })
    }),
    ({ server }) =>
      Effect.async<void>((resume) => {
        server.closeAllConnections()
        server.close(() => resume(Effect.void))
      })
  ).pipe(Effect.map(({ upstream }) => upstream))

/** Writes `frame` every `every` ms until the client closes the connection. */
export const drip = (exchange: Exchange, every: number, frame: (n: number) => string): void => {
  const timer = setInterval(() => {
    if (exchange.response.destroyed || exchange.request.socket.destroyed) return clearInterval(timer)
    exchange.response.write(frame(exchange.written))
    exchange.written++
  }, every)
  const stop = () => clearInterval(timer)
  exchange.request.socket.once("end", stop).once("error", stop).once("close", stop)
}

/** How long after `since` the server saw the socket close; dies if it did not within `within`. */
export const closedWithin = (
  exchange: Exchange,
  within: Duration.DurationInput = "1 second"
): Effect.Effect<number> =>
  Deferred.await(exchange.closed).pipe(
    Effect.timeout(within),
    Effect.orDieWith(() => new Error(`the server did not see the connection close within ${Duration.format(within)}`))
  )

export const isClosed = (exchange: Exchange): Effect.Effect<boolean> =>
  Effect.map(Deferred.poll(exchange.closed), Option.isSome)

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

export const done = "data: [DONE]\n\n"
export const keepalive = ": keep-alive\n\n"

export const sseHead = (exchange: Exchange, status = 200): void => {
  exchange.response.writeHead(status, { "content-type": "text/event-stream" })
  exchange.response.flushHeaders()
}
