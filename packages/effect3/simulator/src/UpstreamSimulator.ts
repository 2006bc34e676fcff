/**
 * A real HTTP server on loopback that streams like OpenAI, Anthropic, Ollama, Gemini or an MCP
 * server, misbehaves on demand (a request names its `Scenario` as `ScenarioSpec` says), and
 * records what it saw: the witness that a client closed its connection and that generation stopped
 * when it did. The kernel's server, started and stopped with a scope.
 *
 * Endpoints: `POST /v1/chat/completions` (stream and JSON), `POST /v1/responses`,
 * `POST /v1/messages`, `POST /api/chat` (NDJSON), `POST /mcp` (JSON-RPC, `tools/call` answered
 * over SSE), Gemini's `POST /v1beta/models/{model}:streamGenerateContent` and `:generateContent`,
 * `GET /_sim/requests` (the records as JSON), `DELETE /_sim/requests` (clear).
 *
 * @since 0.1.0
 */
import { ServeError } from "@effect/platform/HttpServerError"
import { fromClock } from "@streamguard/core-effect3/KernelClock"
import type { RequestRecord } from "@streamguard/kernel/simulator/RequestRecord"
import * as SimulatorError from "@streamguard/kernel/simulator/SimulatorError"
import * as SimulatorServer from "@streamguard/kernel/simulator/SimulatorServer"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import type * as Scope from "effect/Scope"

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
    return SimulatorError.message(this)
  }
}

/**
 * Where the server listens and how many records it keeps.
 *
 * @since 0.1.0
 * @category models
 */
export type Options = Omit<SimulatorServer.Options, "clock">

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
   * Waits until request `id` stopped generating (ended, failed or was stopped by its close), so
   * its record is final: `closedAt`, `finishedAt` and `writesAfterClose` can be asserted.
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

const spans = { close: "UpstreamSimulator.awaitClosed", finish: "UpstreamSimulator.awaitFinished" } as const

const service = (server: SimulatorServer.SimulatorServer): Service => {
  const awaitOn = (waitingFor: "close" | "finish") => (id: string, wait: WaitOptions = {}) => {
    const timeout = Duration.decode(wait.timeout ?? "1 second")
    const when = waitingFor === "close" ? server.whenClosed : server.whenFinished
    return Effect.async<RequestRecord>((resume) => {
      // The record as it is when the waiter resumes, not as it was at the event.
      const cancel = when(id, (record) => resume(Effect.sync(() => server.record(id) ?? record)))
      return Effect.sync(cancel)
    }).pipe(
      Effect.timeoutFail({
        duration: timeout,
        onTimeout: () => new SimulatorTimeout({ id, waitingFor, timeoutMillis: Duration.toMillis(timeout) })
      }),
      Effect.withSpan(spans[waitingFor], { attributes: { id } })
    )
  }
  return UpstreamSimulator.of({
    url: server.url,
    port: server.port,
    requests: Effect.sync(server.records),
    request: (id) => Effect.sync(() => Option.fromNullable(server.record(id))),
    awaitClosed: awaitOn("close"),
    awaitFinished: awaitOn("finish"),
    clear: Effect.sync(server.clear)
  })
}

/**
 * Starts the simulator in the current scope; closing the scope closes every open connection
 * (stalled responses included) and the server. It fails with the platform's `ServeError` (its
 * `cause` Node's error) when it cannot listen.
 *
 * Scenario timing uses the Clock of the fiber that runs `make`: its waits sleep on it and its
 * records' times are read from it. Run it with the live clock for real sockets (`it.live`,
 * `it.scopedLive`), and `Simulation` for in-process runs under `TestClock`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (options: Options = {}): Effect.Effect<Service, ServeError, Scope.Scope> =>
  Effect.flatMap(Effect.clock, (clock) =>
    Effect.map(
      Effect.acquireRelease(
        Effect.tryPromise({
          try: () => SimulatorServer.start({ ...options, clock: fromClock(clock) }),
          catch: (cause) => new ServeError({ cause })
        }),
        (server) => Effect.promise(server.close)
      ),
      service
    ))

/**
 * The simulator as a scoped layer.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (options: Options = {}): Layer.Layer<UpstreamSimulator, ServeError> =>
  Layer.scoped(UpstreamSimulator, make(options))
