/**
 * An in-memory upstream behind the real `LlmClient`: scripted answers played under the Effect
 * `Clock`, so `TestClock` moves a 90-second silence in microseconds.
 *
 * Only the socket is replaced. `TestUpstream.layer(script)` is `LlmClient.layer()` (the real
 * client: its phases, retries, errors, `guard`/`guardEvents` with the `RequestProfile` policy
 * merged with the call's `policy`, its observer calls) over an `HttpClient` that answers from
 * the script: the script's steps are rendered in the payloads of the dialect the call decodes
 * with, encoded by that dialect's `encode`, and handed to its `decode` as bytes.
 *
 * @since 0.1.0
 */
import * as HttpClient from "@effect/platform/HttpClient"
import * as LlmClient from "@streamguard/client-effect3/LlmClient"
import * as Guard from "@streamguard/core-effect3/Guard"
import type * as Dialect from "@streamguard/protocols-effect3/Dialect"
import * as RequestRecord from "@streamguard/simulator-effect3/RequestRecord"
import * as Scenario from "@streamguard/simulator-effect3/Scenario"
import * as ScenarioSpec from "@streamguard/simulator-effect3/ScenarioSpec"
import type * as Simulation from "@streamguard/simulator-effect3/Simulation"
import type * as Step from "@streamguard/simulator-effect3/Step"
import type * as Clock from "effect/Clock"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import { answer } from "./internal/answer.js"
import { bodyText, parseJson } from "./internal/memoryResponse.js"

/**
 * A request as the fake upstream received it.
 *
 * @since 0.1.0
 * @category models
 */
export interface Request {
  readonly method: string
  readonly url: string
  /** Lower-case names. */
  readonly headers: Readonly<Record<string, string>>
  /** The body as UTF-8 text (`""` without one). */
  readonly body: string
  /** The body parsed as JSON, `undefined` when it is not JSON. */
  readonly json: unknown
  /** Which `LlmClient` call sent it, from 1 in the order calls began. */
  readonly call: number
  /** Which attempt of that call, from 1: a retried call sends attempts 1, 2, ... */
  readonly attempt: number
  /** `stream`/`streamEvents` (true) or `batch` (false). */
  readonly stream: boolean
  /** The dialect the answer is written in. */
  readonly dialect: string
}

/**
 * What the upstream plays for one request: steps (played exactly as written, after the dialect's
 * opening: no keepalives of their own, no jitter) or any simulator `Scenario`.
 *
 * @since 0.1.0
 * @category models
 */
export type Script = ReadonlyArray<Step.Step> | Scenario.Scenario

/**
 * The script for every request, or a function choosing one per request (by its body, its
 * `attempt`, its `call`):
 * `(request) => request.attempt === 1 ? Scenario.httpError({ status: 503 }) : ok`.
 *
 * @since 0.1.0
 * @category models
 */
export type Scripts = Script | ((request: Request) => Script)

/**
 * One request and what the upstream did with it: when it answered, what it wrote (`writes`,
 * `chunks`, `bytes`, `lastWriteAt`), and when the client closed it (`closedAt`, `end:
 * "client_closed"`) or the answer ended (`finishedAt`, `end: "ended"`). Times are epoch
 * milliseconds of the Effect `Clock` (the `TestClock` in tests).
 *
 * In memory, the upstream writes when the client pulls: `lastWriteAt` is the last pull that got
 * bytes, and the close is seen the moment the client's stream lets go of the body.
 *
 * @since 0.1.0
 * @category models
 */
export interface Exchange {
  readonly request: Request
  readonly record: RequestRecord.RequestRecord
}

/**
 * @since 0.1.0
 * @category models
 */
export interface Service {
  /** Every exchange so far, in arrival order, as it stands now. */
  readonly exchanges: Effect.Effect<ReadonlyArray<Exchange>>
}

/**
 * What the in-memory upstream saw: `TestUpstream.exchanges` in a test.
 *
 * @since 0.1.0
 * @category tags
 */
export class TestUpstream extends Context.Tag("@streamguard/testing/TestUpstream")<TestUpstream, Service>() {}

/**
 * @since 0.1.0
 * @category accessors
 */
export const exchanges: Effect.Effect<ReadonlyArray<Exchange>, never, TestUpstream> = Effect.flatMap(
  TestUpstream,
  (upstream) => upstream.exchanges
)

/**
 * @since 0.1.0
 * @category models
 */
export interface Options {
  /**
   * The dialect of `batch` answers (which have no `dialect` option) when the URL path does not
   * say (`/v1/chat/completions`, `/v1/responses`, `/v1/messages`, `/api/chat`, `/mcp`). Default
   * `openaiChat`.
   */
  readonly batchDialect?: Simulation.SimDialect | undefined
}

/** What one `LlmClient` call tells the fake transport: the client's `HttpClient` cannot see it. */
interface Call {
  readonly index: number
  readonly dialect: Dialect.Dialect<any> | undefined
  attempts: number
}

class CurrentCall extends Context.Tag("@streamguard/testing/TestUpstream/CurrentCall")<CurrentCall, Call>() {}

const byPath: Record<string, Simulation.SimDialect> = {
  "/v1/chat/completions": "openaiChat",
  "/v1/responses": "openaiResponses",
  "/v1/messages": "anthropic",
  "/api/chat": "ollama",
  "/api/generate": "ollama",
  "/mcp": "mcp"
}

const isId = (u: unknown): u is string | number => typeof u === "string" || typeof u === "number"

const toScenario = (script: Script): Scenario.Scenario =>
  Array.isArray(script) ? Scenario.script(script) : script as Scenario.Scenario

const makeHttpClient = (
  scripts: Scripts,
  options: Options,
  seen: Array<{ readonly request: Request; readonly tracker: RequestRecord.Tracker }>,
  calls: { count: number },
  now: () => number
): HttpClient.HttpClient =>
  HttpClient.make((request, url, signal, fiber) =>
    Effect.gen(function*() {
      // Used without `layer`'s client (a bare `HttpClient`), every request is a call of its own.
      const call = Option.getOrElse(
        Context.getOption(fiber.currentContext, CurrentCall),
        (): Call => ({ index: ++calls.count, dialect: undefined, attempts: 0 })
      )
      call.attempts++
      const body = yield* bodyText(request)
      // A stream answers in the call's dialect; a batch call in the URL path's.
      const dialect: Simulation.Request["dialect"] = call.dialect ??
        byPath[url.pathname] ?? options.batchDialect ?? "openaiChat"
      const json = Option.getOrUndefined(parseJson(body))
      // Without `layer`'s client the body says whether it is a stream, as providers read it.
      const streamed = call.dialect !== undefined ||
        (typeof json === "object" && json !== null && (json as { stream?: unknown }).stream === true)
      const seenRequest: Request = {
        method: request.method,
        url: url.toString(),
        headers: { ...request.headers },
        body,
        json,
        call: call.index,
        attempt: call.attempts,
        stream: streamed,
        dialect: typeof dialect === "string" ? dialect : dialect.name
      }
      const scenario = toScenario(typeof scripts === "function" ? scripts(seenRequest) : scripts)
      const fields = typeof json === "object" && json !== null ? json as Record<string, unknown> : {}
      const model = typeof fields.model === "string" ? fields.model : ""
      // MCP: progress goes only to a request that asked for it, as the simulator does.
      const progress = (fields.params as { _meta?: { progressToken?: unknown } } | undefined)?._meta?.progressToken
      const tracker = RequestRecord.track({
        id: `call${call.index}-attempt${call.attempts}`,
        dialect: seenRequest.dialect,
        method: request.method,
        path: url.pathname,
        model,
        scenario: ScenarioSpec.name(scenario),
        scenarioName: ScenarioSpec.name(scenario),
        stream: seenRequest.stream
      }, { now })
      seen.push({ request: seenRequest, tracker })
      // The client aborts the request when its scope closes: before the end, that is a close.
      signal.addEventListener("abort", () => tracker.closed(), { once: true })
      return yield* answer({
        request,
        scenario,
        simulation: {
          dialect,
          id: tracker.id,
          model: model === "" ? "sim-model" : model,
          requestId: isId(fields.id) ? fields.id : null,
          progressToken: isId(progress) ? progress : undefined,
          inputTokens: Math.max(1, Math.round(body.length / 4))
        },
        tracker,
        streaming: seenRequest.stream,
        contentType: call.dialect?.contentType ?? "text/event-stream"
      })
    })
  )

/**
 * The `LlmClient` and the `TestUpstream` records, over an in-memory upstream playing `scripts`.
 * A fresh upstream per layer build: give each test its own layer (`Effect.provide`), since
 * `it.layer` shares one `TestClock` across its tests.
 *
 * Streaming calls answer in the call's `dialect`; `batch` calls in the dialect of the URL path (or
 * `options.batchDialect`), with the whole answer's JSON body after the script's waits (500 with the
 * error payload after an error signal, half a body after `end`). `Scenario.httpError` answers its
 * status after its `delay`. A script starting (after waits) with `reset` fails the connection
 * before any response (retryable, as a refused connection is); a later `reset` fails the body
 * mid-stream.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (scripts: Scripts, options: Options = {}): Layer.Layer<LlmClient.LlmClient | TestUpstream> =>
  Layer.effectContext(Effect.gen(function*() {
    const { calls, httpClient, upstream } = yield* makeUpstream(scripts, options)
    const real = yield* LlmClient.make().pipe(Effect.provideService(HttpClient.HttpClient, httpClient))
    const newCall = (dialect: Dialect.Dialect<any> | undefined): Call => ({
      index: ++calls.count,
      dialect,
      attempts: 0
    })
    // Each run of a stream is a call of its own, numbered when it starts.
    const prepare: LlmClient.Service["prepare"] = (request, streamOptions) =>
      Effect.map(real.prepare(request, streamOptions), (setup) => {
        const call = newCall(streamOptions.dialect)
        return { ...setup, open: (feed) => Effect.provideService(setup.open(feed), CurrentCall, call) }
      })
    const client = LlmClient.LlmClient.of({
      stream: (request, streamOptions) => Guard.fromFeed(prepare(request, streamOptions)),
      streamEvents: (request, streamOptions) => Guard.fromFeedEvents(prepare(request, streamOptions)),
      batch: (request, batchOptions) =>
        Effect.suspend(() => Effect.provideService(real.batch(request, batchOptions), CurrentCall, newCall(undefined))),
      prepare
    })
    return Context.make(LlmClient.LlmClient, client).pipe(Context.add(TestUpstream, upstream))
  }))

const makeUpstream = (scripts: Scripts, options: Options) =>
  Effect.map(Effect.clock, (clock: Clock.Clock) => {
    const seen: Array<{ readonly request: Request; readonly tracker: RequestRecord.Tracker }> = []
    const calls = { count: 0 }
    const now = () => clock.unsafeCurrentTimeMillis()
    const upstream = TestUpstream.of({
      exchanges: Effect.sync(() => seen.map(({ request, tracker }) => ({ request, record: tracker.snapshot() })))
    })
    return { calls, httpClient: makeHttpClient(scripts, options, seen, calls, now), upstream }
  })

/**
 * The in-memory upstream as a bare `HttpClient`, for code that brings its own client (such as
 * `@effect/ai`'s provider clients): each request is a call of its own, streamed when its JSON
 * body says `"stream": true`, answered in the dialect of its URL path (`.../v1/chat/completions`,
 * `.../v1/responses`, `.../v1/messages`, ...). Scripts play under the Effect `Clock`, so a
 * `TestClock` test moves through minutes of a stream in milliseconds.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerHttpClient = (
  scripts: Scripts,
  options: Options = {}
): Layer.Layer<HttpClient.HttpClient | TestUpstream> =>
  Layer.effectContext(Effect.map(
    makeUpstream(scripts, options),
    ({ httpClient, upstream }) =>
      Context.make(HttpClient.HttpClient, httpClient).pipe(Context.add(TestUpstream, upstream))
  ))
