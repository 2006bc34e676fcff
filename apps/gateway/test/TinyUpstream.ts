/**
 * A minimal upstream on node:http, for answers the simulator does not script (a late error
 * status, a body echoing the request's key).
 */
import { Effect } from "effect"
import type { Scope } from "effect"
import * as Http from "node:http"

export const start = (
  handler: (request: Http.IncomingMessage, response: Http.ServerResponse) => void
): Effect.Effect<{ readonly baseUrl: string }, never, Scope.Scope> =>
  Effect.acquireRelease(
    Effect.promise(() =>
      new Promise<Http.Server>((resolve) => {
        const server = Http.createServer((request, response) => {
          // The body is read in full first, as a real provider would.
          request.resume()
          request.on("end", () => handler(request, response))
        })
        server.listen(0, "127.0.0.1", () => resolve(server))
      })
    ),
    (server) =>
      Effect.promise(() =>
        new Promise<void>((resolve) => {
          server.closeAllConnections()
          server.close(() => resolve())
        })
      )
  ).pipe(
    Effect.map((server) => {
      const address = server.address()
      const port = typeof address === "object" && address !== null ? address.port : 0
      return { baseUrl: `http://127.0.0.1:${port}/v1` }
    })
  )
