/**
 * What the fault matrix needs beside the gateway: an upstream that answers its headers and then
 * never sends the body, a port that refuses connections, a client on its own connection per
 * request, and a reader of the error a response carries (its JSON body, or its in-band events).
 */
import { Deferred, Effect, Option } from "effect"
import * as Http from "node:http"
import * as Net from "node:net"
import * as TinyUpstream from "./TinyUpstream.js"

/**
 * An upstream that sends 200 headers at once and then nothing, keeping the connection open: an
 * event stream's head for a streamed request, the start of a JSON body for a non-streamed one.
 * `closed(id)` completes when the connection of the request with `x-sim-request-id: id` closed.
 */
export const stalledBody = Effect.gen(function*() {
  const closes = new Map<string, Deferred.Deferred<void>>()
  const closeOf = (id: string) => {
    let close = closes.get(id)
    if (close === undefined) {
      close = Deferred.makeUnsafe<void>()
      closes.set(id, close)
    }
    return close
  }
  const upstream = yield* TinyUpstream.start((request, response) => {
    const id = String(request.headers["x-sim-request-id"])
    response.on("close", () => Deferred.doneUnsafe(closeOf(id), Effect.void))
    if (String(request.headers["accept"]).includes("text/event-stream")) {
      response.writeHead(200, { "content-type": "text/event-stream" })
      response.flushHeaders()
    } else {
      response.writeHead(200, { "content-type": "application/json" })
      response.write(`{"id":"stalled",`)
    }
  })
  return { baseUrl: upstream.baseUrl, closed: (id: string) => Deferred.await(closeOf(id)) } as const
})

/** A loopback port nothing listens on: connections to it are refused. */
export const refusedPort: Effect.Effect<number> = Effect.promise(() =>
  new Promise<number>((resolve) => {
    const server = Net.createServer().listen(0, "127.0.0.1", () => {
      const address = server.address() as Net.AddressInfo
      server.close(() => resolve(address.port))
    })
  })
)

export interface Answer {
  readonly status: number
  readonly headers: Http.IncomingHttpHeaders
  readonly text: string
}

/**
 * POSTs `body` as JSON on a connection of its own (`connection: close`), so no socket of the test
 * outlives its request, and reads the whole answer.
 */
export const post = (
  url: string,
  headers: Readonly<Record<string, string>>,
  body: unknown
): Effect.Effect<Answer> =>
  Effect.callback<Answer>((resume) => {
    const payload = JSON.stringify(body)
    const request = Http.request(url, {
      method: "POST",
      agent: false,
      headers: { "content-type": "application/json", "content-length": Buffer.byteLength(payload), ...headers }
    }, (response) => {
      const pieces: Array<Buffer> = []
      response.on("data", (piece: Buffer) => pieces.push(piece))
      response.on("end", () =>
        resume(Effect.succeed({
          status: response.statusCode ?? 0,
          headers: response.headers,
          text: Buffer.concat(pieces).toString("utf8")
        })))
      response.on("error", (error) => resume(Effect.die(error)))
    })
    request.on("error", (error) => resume(Effect.die(error)))
    request.end(payload)
    return Effect.sync(() => request.destroy())
  })

/** The `type` of an error as the gateway writes it, in any of the three dialects' shapes. */
const errorType = (value: unknown): string | undefined => {
  if (typeof value !== "object" || value === null) return undefined
  const record = value as {
    readonly error?: { readonly type?: unknown }
    readonly type?: unknown
    readonly code?: unknown
  }
  // OpenAI chat and Anthropic: `{ error: { type } }`; Responses' event: `{ type: "error", code }`.
  if (typeof record.error === "object" && record.error !== null && typeof record.error.type === "string") {
    return record.error.type
  }
  if (record.type === "error" && typeof record.code === "string") return record.code
  return undefined
}

/** The error type of a JSON error body, or `undefined`. */
export const bodyError = (text: string): string | undefined =>
  Option.getOrUndefined(parseJson(text).pipe(Option.map(errorType)))

const parseJson = Option.liftThrowable((text: string): unknown => JSON.parse(text))

/**
 * The events of an SSE body that are errors, in order, and whether the last event with data is
 * one of them.
 */
export const inBandErrors = (text: string): { readonly types: ReadonlyArray<string>; readonly last: boolean } => {
  const types: Array<string> = []
  let last = false
  for (const frame of text.split(/\r?\n\r?\n/)) {
    const data = frame.split(/\r?\n/).filter((line) => line.startsWith("data:")).map((line) =>
      line.slice(5).trimStart()
    ).join("\n")
    if (data === "") continue
    const type = Option.getOrUndefined(Option.map(parseJson(data), errorType))
    last = type !== undefined
    if (type !== undefined) types.push(type)
  }
  return { types, last }
}

/** What Node tells of a socket handle. */
interface SocketHandle {
  readonly localPort?: number | undefined
  readonly remotePort?: number | undefined
}

/**
 * The open sockets with an end at one of `ports`: the gateway's own port (connections from
 * clients) or an upstream's (the gateway's connections to it). Read from the process's active
 * handles, Node's only view of a socket's ports from inside: an idle pooled connection is
 * unreferenced, so it is not counted, and the upstream's end of it listens on the upstream's port.
 */
export const openSockets = (gatewayPort: number, upstreamPorts: ReadonlyArray<number>): number =>
  (process as unknown as { _getActiveHandles(): Array<unknown> })._getActiveHandles().filter((handle) => {
    const socket = handle as SocketHandle
    return socket.localPort === gatewayPort ||
      (socket.remotePort !== undefined && upstreamPorts.includes(socket.remotePort) &&
        !upstreamPorts.includes(socket.localPort ?? -1))
  }).length
