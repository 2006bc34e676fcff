/**
 * The upstream simulator's HTTP server, on `node:http`, its waits on a kernel `Clock`: a server
 * on loopback that streams like OpenAI (Chat Completions and Responses), Anthropic, Ollama,
 * Gemini or an MCP server, misbehaves on demand (a request names its `Scenario` as
 * `ScenarioSpec` says), and records what it saw: the witness that a client closed its connection
 * and that generation stopped when it did. Each Effect line's `UpstreamSimulator` is this server
 * in a scope, on that line's `Clock`.
 *
 * Endpoints: `POST /v1/chat/completions` (stream and JSON), `POST /v1/responses`,
 * `POST /v1/messages`, `POST /api/chat` (NDJSON), `POST /mcp` (JSON-RPC, `tools/call` answered
 * over SSE), `POST /v1beta/models/{model}:streamGenerateContent` and `:generateContent`,
 * `GET /_sim/requests` (the records as JSON), `DELETE /_sim/requests` (clear).
 *
 * @since 0.1.0
 */
import * as Http from "node:http"
import type { AddressInfo } from "node:net"
import * as Clock from "../Clock.js"
import * as Registry from "./internal/registry.js"
import { handler } from "./internal/routes.js"
import type { RequestRecord } from "./RequestRecord.js"

/**
 * @since 0.1.0
 * @category models
 */
export interface Options {
  /** 0 (the default) picks a free port; read it back from `port`. */
  readonly port?: number | undefined
  /** Default `127.0.0.1`. */
  readonly host?: string | undefined
  /** Records kept (the newest). Default 10 000. */
  readonly maxRecords?: number | undefined
  /**
   * The clock every response's waits sleep on and every record's times come from. Default
   * `Clock.system` (real timers, epoch millis); a line gives its own Effect `Clock` here, so a
   * test clock moves the server's scenarios too.
   */
  readonly clock?: Clock.Clock | undefined
}

/**
 * A running simulator.
 *
 * @since 0.1.0
 * @category models
 */
export interface SimulatorServer {
  /** `http://127.0.0.1:<port>`, without a trailing slash. */
  readonly url: string
  readonly port: number
  /** Every request's record, oldest first. */
  readonly records: () => ReadonlyArray<RequestRecord>
  /** One request's record as it stands now, when the request has arrived. */
  readonly record: (id: string) => RequestRecord | undefined
  /**
   * Calls `listener` once, when request `id` (send `x-sim-request-id` to choose it) sees its
   * connection close before its response ended, with the record as it was then; at once if that
   * already happened. May be called before the request arrives. Returns what cancels the wait.
   */
  readonly whenClosed: (id: string, listener: (record: RequestRecord) => void) => () => void
  /**
   * Calls `listener` once, when request `id` stopped generating (ended, failed or was stopped by
   * its close), so its record is final. As `whenClosed` otherwise.
   */
  readonly whenFinished: (id: string, listener: (record: RequestRecord) => void) => () => void
  /** Forgets every record. */
  readonly clear: () => void
  /**
   * Stops listening and closes every open connection, stalled responses included; settles once
   * the server has closed.
   */
  readonly close: () => Promise<void>
}

/**
 * Starts a simulator; the promise fails with Node's error when it cannot listen (a port in use).
 * Its waits sleep on `options.clock` and its records' times are read from it (by default real
 * timers and wall-clock epoch milliseconds).
 *
 * @since 0.1.0
 * @category constructors
 */
export const start = (options: Options = {}): Promise<SimulatorServer> =>
  new Promise((resolve, reject) => {
    const clock = options.clock ?? Clock.system
    const registry = Registry.make({ maxRecords: options.maxRecords ?? 10_000, now: clock.now })
    const stops = new Set<() => void>()
    const server = Http.createServer(handler({ clock, registry, stops }))
    server.once("error", reject)
    // Node's default backlog (511) overflows when a load test opens thousands of streams at once:
    // the kernel then drops handshakes and clients see connect timeouts from the simulator, not the
    // behaviour under test.
    server.listen({ port: options.port ?? 0, host: options.host ?? "127.0.0.1", backlog: 4096 }, () => {
      server.off("error", reject)
      const address = server.address() as AddressInfo
      const host = address.family === "IPv6" ? `[${address.address}]` : address.address
      resolve({
        url: `http://${host}:${address.port}`,
        port: address.port,
        records: registry.records,
        record: registry.record,
        whenClosed: (id, listener) => registry.when(id, "close", listener),
        whenFinished: (id, listener) => registry.when(id, "finish", listener),
        clear: registry.clear,
        close: () =>
          new Promise((closed) => {
            server.close(() => {
              // Every connection closed, and each response with it; none is left to stop but by a bug.
              for (const stop of [...stops]) stop()
              closed()
            })
            // `close` alone would wait forever for a stalled response to end.
            server.closeAllConnections()
          })
      })
    })
  })
