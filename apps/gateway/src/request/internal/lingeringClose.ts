/**
 * Closing the connection of a request refused before its body was read (413) without a TCP
 * reset. Closing a socket while the client is still sending makes the kernel answer its next
 * bytes with a reset, and most clients (Node's http, undici) then report the reset (`EPIPE`,
 * `ECONNRESET`) instead of the 413 they had already received. So, as nginx's lingering close:
 * once the `connection: close` response is written, the server half-closes (FIN after the 413) and
 * destroys the socket when the client closes its side or after a grace period (effect's Node
 * server does both, since Effect 4); meanwhile the rest of the body is read and dropped here, so
 * no unread byte is left for a reset when the socket goes.
 *
 * @internal
 */
import type * as Http from "node:http"

const discard = () => {}

/**
 * Drops the rest of this request's body from now on, as it arrives. It is read through the HTTP
 * parser that owns the socket's reads, which stops at the body's end: nothing after it is taken
 * as a request.
 */
export const lingerOnClose = (request: Http.IncomingMessage): void => {
  request.removeAllListeners("data")
  request.on("data", discard)
  request.resume()
}
