/**
 * What a client gets when Node's HTTP parser refuses its request before any handler runs
 * (malformed or smuggling-shaped framing, headers over Node's size limit, the headers or body
 * timeout): the status Node would send, with a JSON reason in OpenAI's error shape, then a clean
 * close.
 *
 * @internal
 */
import { STATUS_CODES } from "node:http"
import type * as Net from "node:net"
import * as ErrorResponse from "../../api/ErrorResponse.js"

/** How long the socket stays open after the answer, for the client to read it before it sends more. */
const lingerMillis = 2_000

const refusal = (code: string | undefined): ErrorResponse.GatewayError => {
  switch (code) {
    case "HPE_HEADER_OVERFLOW":
      return new ErrorResponse.GatewayError({
        status: 431,
        type: "invalid_request_error",
        code: "headers_too_large",
        detail: "request headers too large"
      })
    case "HPE_CHUNK_EXTENSIONS_OVERFLOW":
      return new ErrorResponse.GatewayError({
        status: 413,
        type: "invalid_request_error",
        code: "chunk_extensions_too_large",
        detail: "chunk extensions too large"
      })
    case "ERR_HTTP_REQUEST_TIMEOUT":
      return new ErrorResponse.GatewayError({
        status: 408,
        type: "invalid_request_error",
        code: "request_timeout",
        detail: "the request was not received in time"
      })
    default:
      return new ErrorResponse.GatewayError({
        status: 400,
        type: "invalid_request_error",
        code: "malformed_request",
        detail: `malformed HTTP request${code === undefined ? "" : ` (${code})`}`
      })
  }
}

/**
 * A `clientError` listener for the Node server. As Node's own: it answers only when nothing of a
 * response went out on the socket yet (a stream already started is cut, nothing more), and it
 * never lets the error escape. Unlike Node's, the answer carries a reason, and the socket is ended
 * (FIN) rather than destroyed at once, so a client still sending reads the answer, not a reset.
 */
export const onClientError = (error: Error & { readonly code?: string }, socket: Net.Socket): void => {
  const message = (socket as Net.Socket & { readonly _httpMessage?: { readonly headersSent?: boolean } })._httpMessage
  if (!socket.writable || message?.headersSent === true) {
    socket.destroy()
    return
  }
  const refused = refusal(error.code)
  const body = JSON.stringify(ErrorResponse.body("openaiChat", refused))
  socket.end(
    `HTTP/1.1 ${refused.status} ${STATUS_CODES[refused.status]}\r\n` +
      "content-type: application/json\r\n" +
      `content-length: ${Buffer.byteLength(body)}\r\n` +
      "connection: close\r\n\r\n" + body
  )
  const timer = setTimeout(() => socket.destroy(), lingerMillis)
  timer.unref()
  socket.once("close", () => clearTimeout(timer))
}
