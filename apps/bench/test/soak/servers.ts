/**
 * Loopback servers for the soak's tests: a real `node:http` server whose handler decides what each
 * request gets (an answer, a reset, a close), and a port nothing listens on.
 */
import * as Http from "node:http"
import * as Net from "node:net"

export interface TestServer {
  readonly origin: string
  readonly server: Http.Server
  readonly close: () => Promise<void>
}

/** Starts a server on a free loopback port; `close` cuts every connection left. */
export const serve = (handler: Http.RequestListener): Promise<TestServer> =>
  new Promise((resolve, reject) => {
    const server = Http.createServer(handler)
    server.once("error", reject)
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as Net.AddressInfo
      resolve({
        origin: `http://127.0.0.1:${port}`,
        server,
        close: () =>
          new Promise((closed) => {
            server.close(() => closed())
            server.closeAllConnections()
          })
      })
    })
  })

/** A loopback port that was free a moment ago and has no listener: connections to it are refused. */
export const refusedOrigin = (): Promise<string> =>
  new Promise((resolve, reject) => {
    const server = Net.createServer()
    server.once("error", reject)
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as Net.AddressInfo
      server.close(() => resolve(`http://127.0.0.1:${port}`))
    })
  })

/** One SSE frame of an OpenAI chat chunk carrying `content`. */
export const chatChunk = (content: string): string =>
  `data: ${JSON.stringify({ choices: [{ index: 0, delta: { content } }] })}\n\n`

/** Starts an SSE response. */
export const sseHead = (response: Http.ServerResponse): void => {
  response.writeHead(200, { "content-type": "text/event-stream" })
}
