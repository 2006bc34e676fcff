/**
 * A real HTTP server on loopback that streams like OpenAI, Anthropic, Ollama or an MCP server,
 * misbehaves on demand (a request names its `Scenario` as `ScenarioSpec` says), and records what
 * it saw: the witness that a client closed its connection and that generation stopped when it did.
 *
 * Endpoints: `POST /v1/chat/completions` (stream and JSON), `POST /v1/responses`,
 * `POST /v1/messages`, `POST /api/chat` (NDJSON), `POST /mcp` (JSON-RPC, `tools/call` answered
 * over SSE), `GET /_sim/requests` (the records as JSON), `DELETE /_sim/requests` (clear).
 *
 * @since 0.1.0
 */
import * as NodeHttpServer from "@effect/platform-node/NodeHttpServer"
import * as HttpServer from "@effect/platform/HttpServer"
import type { ServeError } from "@effect/platform/HttpServerError"
import * as Context from "effect/Context"
import * as Deferred from "effect/Deferred"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import type * as Scope from "effect/Scope"
import * as Http from "node:http"
import * as registry from "./internal/registry.js"
import * as server from "./internal/server.js"
import type { RequestRecord } from "./RequestRecord.js"

/**
 * Waiting for a request's close or end took longer than the bound.
 *
 * @since 0.1.0
 * @category errors
 */
export class SimulatorTimeout extends Schema.TaggedError<SimulatorTimeout>("@streamguard/simulator/SimulatorTimeout")(
  "SimulatorTimeout",
  {
    id: Schema.String,
    waitingFor: Schema.Literal("close", "finish"),
    timeoutMillis: Schema.Number
  }
) {
  /** @since 0.1.0 */
  override get message(): string {
    return `simulator request ${this.id}: no ${this.waitingFor} within ${this.timeoutMillis} ms`
  }
}

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
}

/**
 * @since 0.1.0
 * @category models
 */
export interface WaitOptions {
  /** Default 1 second. */
  readonly timeout?: Duration.DurationInput | undefined
}

/**
 * @since 0.1.0
 * @category models
 */
export interface Service {
  /** `http://127.0.0.1:<port>`, without a trailing slash. */
  readonly url: string
  readonly port: number
  /** Every request's record, oldest first. */
  readonly requests: Effect.Effect<ReadonlyArray<RequestRecord>>
  /** One request's record, when the request has arrived. */
  readonly request: (id: string) => Effect.Effect<Option.Option<RequestRecord>>
  /**
   * Waits until request `id` (send `x-sim-request-id` to choose it) saw its connection close
   * before the response ended. May be called before the request arrives.
   */
  readonly awaitClosed: (id: string, options?: WaitOptions) => Effect.Effect<RequestRecord, SimulatorTimeout>
  /**
   * Waits until request `id` stopped generating (ended, failed or was interrupted), so its
   * record is final: `closedAt`, `finishedAt` and `writesAfterClose` can be asserted.
   */
  readonly awaitFinished: (id: string, options?: WaitOptions) => Effect.Effect<RequestRecord, SimulatorTimeout>
  /** Forgets every record. */
  readonly clear: Effect.Effect<void>
}

/**
 * @since 0.1.0
 * @category tags
 */
export class UpstreamSimulator extends Context.Tag("@streamguard/simulator/UpstreamSimulator")<
  UpstreamSimulator,
  Service
>() {}

/**
 * Starts the simulator in the current scope; closing the scope closes every open connection
 * (stalled responses included) and the server.
 *
 * Scenario timing uses the Clock of the fiber that runs `make`: run it with the live clock
 * for real sockets (`it.live`), and `Simulation` for in-process runs under `TestClock`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (options: Options = {}): Effect.Effect<Service, ServeError, Scope.Scope> =>
  Effect.gen(function*() {
    const clock = yield* Effect.clock
    const records = registry.make({
      maxRecords: options.maxRecords ?? 10_000,
      now: () => clock.unsafeCurrentTimeMillis()
    })
    const nodeServer = Http.createServer()
    const httpServer = yield* NodeHttpServer.make(() => nodeServer, {
      port: options.port ?? 0,
      host: options.host ?? "127.0.0.1",
      // Node's default (511) overflows when a load test opens thousands of streams at once: the
      // kernel then drops handshakes and clients see connect timeouts from the simulator, not the
      // behaviour under test.
      backlog: 4096
    })
    // Runs before the platform's own release (finalizers run in reverse): `server.close` alone
    // would wait forever for a stalled response to end.
    yield* Effect.addFinalizer(() =>
      Effect.sync(() => {
        nodeServer.close()
        nodeServer.closeAllConnections()
      })
    )
    yield* HttpServer.serveEffect(server.router(records)).pipe(
      Effect.provideService(HttpServer.HttpServer, httpServer)
    )
    const address = httpServer.address
    const port = address._tag === "TcpAddress" ? address.port : 0
    const host = address._tag === "TcpAddress" ? address.hostname : "127.0.0.1"

    const awaitOn = (waitingFor: "close" | "finish") => (id: string, wait: WaitOptions = {}) => {
      const timeout = Duration.decode(wait.timeout ?? "1 second")
      const slot = records.entry(id)
      return Deferred.await(waitingFor === "close" ? slot.closed : slot.finished).pipe(
        // The record as it is now, not as it was at the event.
        Effect.map((record) => slot.tracker?.snapshot() ?? record),
        Effect.timeoutFail({
          duration: timeout,
          onTimeout: () => new SimulatorTimeout({ id, waitingFor, timeoutMillis: Duration.toMillis(timeout) })
        }),
        Effect.withSpan(waitingFor === "close" ? "UpstreamSimulator.awaitClosed" : "UpstreamSimulator.awaitFinished", {
          attributes: { id }
        })
      )
    }

    return UpstreamSimulator.of({
      url: `http://${host}:${port}`,
      port,
      requests: Effect.sync(records.records),
      request: (id) => Effect.sync(() => Option.fromNullable(records.records().find((record) => record.id === id))),
      awaitClosed: awaitOn("close"),
      awaitFinished: awaitOn("finish"),
      clear: Effect.sync(records.clear)
    })
  })

/**
 * The simulator as a scoped layer.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (options: Options = {}): Layer.Layer<UpstreamSimulator, ServeError> =>
  Layer.scoped(UpstreamSimulator, make(options))
