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
import * as Cookies from "@effect/platform/Cookies"
import * as Headers from "@effect/platform/Headers"
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientError from "@effect/platform/HttpClientError"
import type * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as HttpIncomingMessage from "@effect/platform/HttpIncomingMessage"
import * as UrlParams from "@effect/platform/UrlParams"
import * as LlmClient from "@streamguard/client/LlmClient"
import * as Guard from "@streamguard/core/Guard"
import type * as Dialect from "@streamguard/protocols/Dialect"
import * as Chunk from "effect/Chunk"
import type * as Clock from "effect/Clock"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Inspectable from "effect/Inspectable"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import * as play from "./internal/play.js"
import * as registry from "./internal/registry.js"
import * as render from "./internal/render.js"
import type { RequestRecord } from "./RequestRecord.js"
import * as Scenario from "./Scenario.js"
import * as Script from "./Script.js"
import * as Simulation from "./Simulation.js"

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
 * The script for every request, or a function choosing one per request (by its body, its
 * `attempt`, its `call`): `(request) => request.attempt === 1 ? [Step.httpError(503)] : ok`.
 *
 * @since 0.1.0
 * @category models
 */
export type Scripts = Script.Script | ((request: Request) => Script.Script)

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
  readonly record: RequestRecord
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

/** A TCP reset as undici reports it, so the client's own mapping makes it `reason: "reset"`. */
const resetCause = { code: "ECONNRESET", message: "the script reset the connection" }

const decoder = new TextDecoder()
const encoder = new TextEncoder()

const concat = (chunks: Chunk.Chunk<Uint8Array>): Uint8Array => {
  const out = new Uint8Array(Chunk.reduce(chunks, 0, (n, chunk) => n + chunk.length))
  let at = 0
  for (const chunk of chunks) {
    out.set(chunk, at)
    at += chunk.length
  }
  return out
}

const bodyText = (request: HttpClientRequest.HttpClientRequest): Effect.Effect<string> => {
  const body = request.body
  switch (body._tag) {
    case "Uint8Array":
      return Effect.succeed(decoder.decode(body.body))
    case "Raw":
      return Effect.succeed(typeof body.body === "string" ? body.body : "")
    case "Stream":
      return body.stream.pipe(
        Stream.runCollect,
        Effect.map((chunks) => decoder.decode(concat(chunks))),
        Effect.orElseSucceed(() => "")
      )
    default:
      return Effect.succeed("")
  }
}

const isId = (u: unknown): u is string | number => typeof u === "string" || typeof u === "number"

const parseJson = Option.liftThrowable((text: string): unknown => JSON.parse(text))

/**
 * A response held in memory. The platform's `fromWeb` would need a web `ReadableStream`, whose
 * promise hops `TestClock` cannot see; this one's body is an Effect stream, paced by the Clock.
 */
class MemoryResponse extends Inspectable.Class implements HttpClientResponse.HttpClientResponse {
  readonly [HttpIncomingMessage.TypeId]: HttpIncomingMessage.TypeId = HttpIncomingMessage.TypeId
  readonly [HttpClientResponse.TypeId]: HttpClientResponse.TypeId = HttpClientResponse.TypeId
  readonly cookies = Cookies.empty
  readonly remoteAddress = Option.none<string>()
  readonly headers: Headers.Headers
  constructor(
    readonly request: HttpClientRequest.HttpClientRequest,
    readonly status: number,
    headers: Readonly<Record<string, string>>,
    private readonly body: (self: MemoryResponse) => Stream.Stream<Uint8Array, HttpClientError.ResponseError>
  ) {
    super()
    this.headers = Headers.fromInput(headers)
  }
  get stream(): Stream.Stream<Uint8Array, HttpClientError.ResponseError> {
    return this.body(this)
  }
  get arrayBuffer(): Effect.Effect<ArrayBuffer, HttpClientError.ResponseError> {
    return Effect.map(Stream.runCollect(this.stream), (chunks) => concat(chunks).slice().buffer)
  }
  get text(): Effect.Effect<string, HttpClientError.ResponseError> {
    return Effect.map(Stream.runCollect(this.stream), (chunks) => decoder.decode(concat(chunks)))
  }
  get json(): Effect.Effect<unknown, HttpClientError.ResponseError> {
    return Effect.flatMap(this.text, (text) =>
      Option.match(parseJson(text), {
        onNone: () => Effect.fail(this.decodeError("the body is not JSON")),
        onSome: Effect.succeed
      }))
  }
  get urlParamsBody(): Effect.Effect<UrlParams.UrlParams, HttpClientError.ResponseError> {
    return Effect.map(this.text, (text) => UrlParams.fromInput(new URLSearchParams(text)))
  }
  get formData(): Effect.Effect<FormData, HttpClientError.ResponseError> {
    return Effect.fail(this.decodeError("a test upstream answers no form data"))
  }
  decodeError(description: string, cause?: unknown): HttpClientError.ResponseError {
    return new HttpClientError.ResponseError({
      request: this.request,
      response: this,
      reason: "Decode",
      description,
      cause
    })
  }
  toJSON(): unknown {
    return { _id: "@streamguard/testing/TestUpstream/Response", status: this.status, url: this.request.url }
  }
}

/** The first step that is not a `Wait`, and the waits before it. */
const lead = (scenario: Scenario.Scenario): { readonly delay: Duration.Duration; readonly tag: string | undefined } => {
  let delay = Duration.zero
  if (scenario._tag !== "Script") return { delay, tag: undefined }
  for (const step of scenario.steps) {
    if (step._tag !== "Wait") return { delay, tag: step._tag }
    delay = Duration.sum(delay, step.duration)
  }
  return { delay, tag: undefined }
}

const makeHttpClient = (
  scripts: Scripts,
  options: Options,
  records: registry.Registry,
  seen: Array<{ readonly request: Request; readonly tracker: registry.Tracker }>,
  calls: { count: number }
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
      const streaming = call.dialect !== undefined
      const simDialect = streaming ?
        (render.isSimDialect(call.dialect.name) ? call.dialect.name : undefined) :
        byPath[url.pathname] ?? options.batchDialect ?? "openaiChat"
      const json = Option.getOrUndefined(parseJson(body))
      const seenRequest: Request = {
        method: request.method,
        url: url.toString(),
        headers: { ...request.headers },
        body,
        json,
        call: call.index,
        attempt: call.attempts,
        stream: streaming,
        dialect: call.dialect?.name ?? simDialect ?? "openaiChat"
      }
      const scenario = Script.toScenario(typeof scripts === "function" ? scripts(seenRequest) : scripts)
      const fields = typeof json === "object" && json !== null ? json as Record<string, unknown> : {}
      const model = typeof fields.model === "string" ? fields.model : ""
      const rpcId = isId(fields.id) ? fields.id : null
      // MCP: progress goes only to a request that asked for it, as the simulator does.
      const progress = (fields.params as { _meta?: { progressToken?: unknown } } | undefined)?._meta?.progressToken
      const tracker = records.start({
        id: `call${call.index}-attempt${call.attempts}`,
        dialect: seenRequest.dialect,
        method: request.method,
        path: url.pathname,
        model,
        scenario: Scenario.name(scenario),
        scenarioName: Scenario.name(scenario),
        stream: streaming
      })
      seen.push({ request: seenRequest, tracker })
      // The client aborts the request when its scope closes: before the end, that is a close.
      signal.addEventListener("abort", () => tracker.closed(), { once: true })
      const meta: play.Meta = {
        dialect: call.dialect ?? simDialect ?? "openaiChat",
        id: tracker.id,
        model: model === "" ? "sim-model" : model,
        includeUsage: false,
        rpcId,
        progressToken: isId(progress) ? progress : undefined,
        inputTokens: Math.max(1, Math.round(body.length / 4))
      }
      const transportReset = Effect.suspend(() => {
        tracker.reset()
        tracker.finish()
        return Effect.fail(new HttpClientError.RequestError({ request, reason: "Transport", cause: resetCause }))
      })

      const plan = Simulation.plan(scenario)
      const first = lead(scenario)
      if (plan.status !== 200) {
        yield* plan.headers === "now" ? Effect.void : plan.headers === "never" ? Effect.never : Effect.sleep(
          plan.headers
        )
        const errorBody = Option.getOrElse(
          plan.body,
          () => JSON.stringify(render.httpErrorBody(simDialect ?? "openaiChat", plan.status, rpcId))
        )
        const bytes = encoder.encode(errorBody)
        tracker.headers(plan.status)
        tracker.writeBody(bytes.length, 0)
        tracker.finish()
        const retryAfter = Option.match(plan.retryAfter, {
          onNone: () => ({}),
          onSome: (seconds) => ({ "retry-after": String(seconds) })
        })
        return new MemoryResponse(
          request,
          plan.status,
          { "content-type": "application/json", ...retryAfter, ...plan.extraHeaders },
          () => Stream.succeed(bytes)
        )
      }
      // A reset before anything was answered is a connection that failed before the response.
      if (first.tag === "Reset") return yield* Effect.zipRight(Effect.sleep(first.delay), transportReset)

      if (!streaming) {
        const collected = yield* play.collect(scenario, meta, transportReset).pipe(
          Effect.onInterrupt(() => Effect.sync(() => (tracker.closed(), tracker.finish())))
        )
        const text = JSON.stringify(collected.body)
        // A cut-short answer is a body cut in half, as the simulator sends it.
        const bytes = encoder.encode(collected.end === "End" ? text.slice(0, Math.floor(text.length / 2)) : text)
        const status = collected.end === "ErrorSignal" ? 500 : 200
        tracker.headers(status)
        tracker.writeBody(bytes.length, collected.chunks)
        tracker.finish()
        return new MemoryResponse(request, status, { "content-type": "application/json" }, () => Stream.succeed(bytes))
      }

      tracker.headers(200)
      const contentType = call.dialect?.contentType ?? "text/event-stream"
      return new MemoryResponse(request, 200, { "content-type": contentType }, (response) =>
        Stream.suspend(() => {
          let ended = false
          const end = Effect.sync(() => {
            ended = true
            tracker.finish()
          })
          const onReset = Effect.suspend(() => {
            tracker.reset()
            return Effect.zipRight(end, Effect.fail(response.decodeError("connection reset", resetCause)))
          })
          return play.frames(scenario, meta, onReset).pipe(
            Stream.mapChunks((frames) => {
              for (const frame of frames) {
                tracker.write(frame)
                if (frame.event === "Done" || frame.event === "ErrorSignal") {
                  ended = true
                  tracker.finish()
                }
              }
              return Chunk.map(frames, (frame) => frame.bytes)
            }),
            Stream.concat(Stream.execute(end)),
            // Let go of before its end: the client closed it (in memory, nothing runs on after).
            Stream.ensuring(Effect.sync(() => {
              if (!ended) tracker.closed()
              tracker.finish()
            }))
          )
        }))
    })
  )

/**
 * The `LlmClient` and the `TestUpstream` records, over an in-memory upstream playing `scripts`.
 * A fresh upstream per layer build: give each test its own layer (`Effect.provide`), since
 * `it.layer` shares one `TestClock` across its tests.
 *
 * Streaming calls answer in the call's `dialect`; `batch` calls in the dialect of the URL path (or
 * `options.batchDialect`), with the whole answer's JSON body after the script's waits (500 with the
 * error payload after an error signal, half a body after `end`). A script starting (after waits)
 * with `httpError` answers that status after the waits; with `reset`, the connection fails before
 * any response (retryable, as a refused connection is); a later `reset` fails the body mid-stream.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (scripts: Scripts, options: Options = {}): Layer.Layer<LlmClient.LlmClient | TestUpstream> =>
  Layer.effectContext(Effect.gen(function*() {
    const clock: Clock.Clock = yield* Effect.clock
    const records = registry.make({ maxRecords: 10_000, now: () => clock.unsafeCurrentTimeMillis() })
    const seen: Array<{ readonly request: Request; readonly tracker: registry.Tracker }> = []
    const calls = { count: 0 }
    const real = yield* LlmClient.make().pipe(
      Effect.provideService(HttpClient.HttpClient, makeHttpClient(scripts, options, records, seen, calls))
    )
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
    const upstream = TestUpstream.of({
      exchanges: Effect.sync(() => seen.map(({ request, tracker }) => ({ request, record: tracker.snapshot() })))
    })
    return Context.make(LlmClient.LlmClient, client).pipe(Context.add(TestUpstream, upstream))
  }))
