/**
 * A client on a bare TCP socket, for requests no HTTP client would send (smuggling-shaped framing,
 * oversized headers, a body that goes on after the answer): what was sent, what came back, and how
 * the connection ended.
 */
import { Effect } from "effect"
import { connect } from "node:net"

export interface Exchange {
  /** Everything the server sent, as text. */
  readonly text: string
  /** The status line's code, 0 when nothing came back. */
  readonly status: number
  /** The response body (after the blank line). */
  readonly body: string
  /** The socket error the client saw (`ECONNRESET`, `EPIPE`), if any. */
  readonly error: string | undefined
}

/**
 * Writes `head`, then the `body` parts one after the other (waiting for each to drain), and
 * reads until the server closes the connection. Write errors after the answer came are recorded.
 * `afterClose` is written once the server has closed its side (its FIN came), as a client still
 * sending its body would (each part waiting for the socket to drain, so a reset the server sends
 * in return is seen before the last part); then the client ends its side too.
 */
export const exchange = (
  port: number,
  head: string,
  body: ReadonlyArray<string | Uint8Array> = [],
  afterClose?: ReadonlyArray<string | Uint8Array>
): Effect.Effect<Exchange> =>
  Effect.callback<Exchange>((resume) => {
    const socket = connect({ port, host: "127.0.0.1", allowHalfOpen: afterClose !== undefined })
    const received: Array<Buffer> = []
    let error: string | undefined
    socket.on("data", (data) => received.push(data))
    if (afterClose !== undefined) socket.on("end", () => write(afterClose, () => socket.end()))
    const write = (parts: ReadonlyArray<string | Uint8Array>, then: () => void) => {
      let next = 0
      const pump = (): void => {
        while (next < parts.length) {
          if (socket.destroyed) return
          if (!socket.write(parts[next++]!)) {
            socket.once("drain", pump)
            return
          }
        }
        then()
      }
      pump()
    }
    socket.on("error", (e: Error & { code?: string }) => {
      error ??= e.code ?? e.message
    })
    socket.on("close", () => {
      const text = Buffer.concat(received).toString("latin1")
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1] ?? 0)
      const at = text.indexOf("\r\n\r\n")
      resume(Effect.succeed({ text, status, body: at === -1 ? "" : text.slice(at + 4), error }))
    })
    socket.write(head)
    write(body, () => {})
    return Effect.sync(() => socket.destroy())
  })

/** The port of a `http://127.0.0.1:<port>` URL. */
export const portOf = (url: string): number => Number(new URL(url).port)
