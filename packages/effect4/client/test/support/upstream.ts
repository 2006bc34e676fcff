/**
 * A tiny upstream on loopback for socket tests: a node:http server whose handler the test writes,
 * recording for every exchange when its socket closed, so a test can prove the client hung up.
 * The frames and the answers in plain Node are the behavioural suite's (`LiveUpstream`).
 */
import { chunk, done, keepalive } from "@streamguard/behaviour/LiveUpstream"
import { Deferred, Duration, Effect } from "effect"
import type { Scope } from "effect"
import * as Http from "node:http"
import type * as Net from "node:net"

export { chunk, done, keepalive }

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
  readonly exchange: (n: number, within?: Duration.Input) => Effect.Effect<Exchange>
}

export type Handler = (exchange: Exchange) => void

const listen = (handler: Handler) =>
  Effect.callback<{ server: Http.Server; upstream: Upstream }>((resume) => {
    const exchanges: Array<Exchange> = []
    const sockets = new Set<Net.Socket>()
    const arrived: Array<Deferred.Deferred<Exchange>> = []
    const slot = (n: number) => (arrived[n] ??= Deferred.makeUnsafe<Exchange>())
    const server = Http.createServer((request, response) => {
      const exchange: Exchange = { request, response, closed: Deferred.makeUnsafe<number>(), written: 0 }
      // The socket, not the response: a finished response on a kept-alive socket is not a close.
      const hungUp = () => Deferred.doneUnsafe(exchange.closed, Effect.succeed(Date.now()))
      request.socket.once("end", hungUp).once("error", hungUp).once("close", hungUp)
      Deferred.doneUnsafe(slot(exchanges.length), Effect.succeed(exchange))
      exchanges.push(exchange)
      handler(exchange)
    })
    server.on("connection", (socket) => {
      sockets.add(socket)
      socket.once("close", () => sockets.delete(socket))
    })
    server.listen(0, "127.0.0.1", () => {
      const port = (server.address() as Net.AddressInfo).port
      const exchange = (n: number, within: Duration.Input = "2 seconds") =>
        Deferred.await(slot(n)).pipe(
          Effect.timeout(within),
          Effect.catch(() => Effect.die(new Error(`exchange ${n} did not arrive`)))
        )
      resume(
        Effect.succeed({ server, upstream: { url: `http://127.0.0.1:${port}`, port, exchanges, sockets, exchange } })
      )
    })
  })

export const upstream = (handler: Handler): Effect.Effect<Upstream, never, Scope.Scope> =>
  Effect.acquireRelease(listen(handler), ({ server }) =>
    Effect.callback<void>((resume) => {
      server.closeAllConnections()
      server.close(() => resume(Effect.void))
    })).pipe(Effect.map(({ upstream }) => upstream))

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
export const closedWithin = (exchange: Exchange, within: Duration.Input = "1 second"): Effect.Effect<number> =>
  Deferred.await(exchange.closed).pipe(
    Effect.timeout(within),
    Effect.catch(() =>
      Effect.die(
        new Error(
          `the server did not see the connection close within ${Duration.format(Duration.fromInputUnsafe(within))}`
        )
      )
    )
  )

export const isClosed = (exchange: Exchange): Effect.Effect<boolean> =>
  Effect.sync(() => Deferred.isDoneUnsafe(exchange.closed))

export const sseHead = (exchange: Exchange, status = 200): void => {
  exchange.response.writeHead(status, { "content-type": "text/event-stream" })
  exchange.response.flushHeaders()
}
