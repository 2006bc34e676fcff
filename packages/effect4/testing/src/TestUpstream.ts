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
import * as LlmClient from "@streamguard/client/LlmClient"
import * as Guard from "@streamguard/core/Guard"
import * as MemoryUpstream from "@streamguard/kernel/simulator/MemoryUpstream"
import type { Call, Request, Scripts } from "@streamguard/kernel/simulator/MemoryUpstream"
import type * as Dialect from "@streamguard/protocols/Dialect"
import type * as RequestRecord from "@streamguard/simulator/RequestRecord"
import type * as Simulation from "@streamguard/simulator/Simulation"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as HttpClient from "effect/http/HttpClient"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import { answer } from "./internal/answer.js"
import { bodyText } from "./internal/memoryResponse.js"

export type {
  /**
   * A request as the fake upstream received it.
   *
   * @since 0.1.0
   * @category models
   */
  Request,
  /**
   * What the upstream plays for one request: steps (played exactly as written, after the dialect's
   * opening: no keepalives of their own, no jitter) or any simulator `Scenario`.
   *
   * @since 0.1.0
   * @category models
   */
  Script,
  /**
   * The script for every request, or a function choosing one per request (by its body, its
   * `attempt`, its `call`):
   * `(request) => request.attempt === 1 ? Scenario.httpError({ status: 503 }) : ok`.
   *
   * @since 0.1.0
   * @category models
   */
  Scripts
} from "@streamguard/kernel/simulator/MemoryUpstream"

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
export class TestUpstream extends Context.Service<TestUpstream, Service>()("@streamguard/testing/TestUpstream") {}

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
class CurrentCall extends Context.Service<CurrentCall, Call>()("@streamguard/testing/TestUpstream/CurrentCall") {}

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
        Context.getOption(fiber.context, CurrentCall),
        (): Call => ({ index: ++calls.count, dialect: undefined, attempts: 0 })
      )
      const arrival = MemoryUpstream.arrive({
        method: request.method,
        url,
        headers: { ...request.headers },
        body: yield* bodyText(request),
        call,
        scripts,
        batchDialect: options.batchDialect,
        now
      })
      seen.push(arrival)
      // The client aborts the request when its scope closes: before the end, that is a close.
      signal.addEventListener("abort", () => arrival.tracker.closed(), { once: true })
      return yield* answer(request, arrival)
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
  Effect.clockWith((clock) => {
    const seen: Array<{ readonly request: Request; readonly tracker: RequestRecord.Tracker }> = []
    const calls = { count: 0 }
    const now = () => clock.currentTimeMillisUnsafe()
    const upstream = TestUpstream.of({
      exchanges: Effect.sync(() => seen.map(({ request, tracker }) => ({ request, record: tracker.snapshot() })))
    })
    return Effect.succeed({ calls, httpClient: makeHttpClient(scripts, options, seen, calls, now), upstream })
  })

/**
 * The in-memory upstream as a bare `HttpClient`, for code that brings its own client (such as
 * `effect/ai`'s provider clients): each request is a call of its own, streamed when its JSON
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
