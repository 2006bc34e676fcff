/**
 * Closing the connection of a request refused before its body was read (413) without a TCP
 * reset. Closing a socket while the client is still sending makes the kernel answer its next
 * bytes with a reset, and most clients (Node's http, undici) then report the reset (`EPIPE`,
 * `ECONNRESET`) instead of the 413 they had already received. So, as nginx's lingering close:
 * once the response is written the gateway half-closes (FIN after the 413), then discards what
 * the client still sends, and destroys the socket when the client closes its side or after
 * `lingerMillis`, whichever comes first.
 *
 * @internal
 */
import type * as Http from "node:http"

/** How long a refused client may go on sending before its socket is destroyed. */
export const lingerMillis = 2_000

const discard = () => {}

/**
 * Arms the lingering close for this request's connection. Node ends a `connection: close` response
 * with `socket.destroySoon()`, which destroys the socket as soon as the response is flushed; this
 * socket's own `destroySoon` lingers instead.
 */
export const lingerOnClose = (request: Http.IncomingMessage): void => {
  const socket = request.socket
  socket.destroySoon = function lingeringDestroySoon() {
    // The rest of the body is read only to be dropped, through the HTTP parser that owns the
    // socket's reads (it stops at the body's end: nothing after it is taken as a request).
    request.removeAllListeners("data")
    request.on("data", discard)
    request.resume()
    socket.end()
    const timer = setTimeout(() => socket.destroy(), lingerMillis)
    timer.unref()
    socket.once("close", () => clearTimeout(timer))
  }
}
