import * as NodeHttpServerRequest from "@effect/platform-node/NodeHttpServerRequest"
import * as HttpRouter from "@effect/platform/HttpRouter"
import * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import * as ParseIssues from "@streamguard/core-effect3/ParseIssues"
import * as Dialects from "@streamguard/protocols-effect3/Dialects"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
import type * as RequestRecord from "../RequestRecord.js"
import type * as Scenario from "../Scenario.js"
import * as ScenarioSpec from "../ScenarioSpec.js"
import * as Simulation from "../Simulation.js"
import type { Registry } from "./registry.js"
import * as render from "./render.js"
import type { SimDialect } from "./render.js"

/** What the simulator reads from a request body. */
interface Parsed {
  readonly model: string
  readonly stream: boolean
  readonly includeUsage: boolean
  readonly requestId: string | number | null
  readonly progressToken: string | number | undefined
  /** MCP: a scenario named by the tool call (`params.name` or `arguments.scenario`). */
  readonly scenario: string | undefined
  /** Gemini without `alt=sse`: the stream is one JSON array. */
  readonly jsonArray?: boolean
}

const Model = Schema.optionalWith(Schema.String, { default: () => "" })
const Id = Schema.Union(Schema.String, Schema.Number)

const ChatBody = Schema.Struct({
  model: Model,
  stream: Schema.optionalWith(Schema.NullOr(Schema.Boolean), { default: () => false }),
  stream_options: Schema.optional(Schema.NullOr(Schema.Struct({ include_usage: Schema.optional(Schema.Boolean) })))
})

const StreamBody = Schema.Struct({
  model: Model,
  stream: Schema.optionalWith(Schema.NullOr(Schema.Boolean), { default: () => false })
})

// Ollama streams unless told not to.
const OllamaBody = Schema.Struct({
  model: Model,
  stream: Schema.optionalWith(Schema.NullOr(Schema.Boolean), { default: () => true })
})

const RpcBody = Schema.Struct({
  jsonrpc: Schema.optional(Schema.String),
  id: Schema.optional(Schema.NullOr(Id)),
  method: Schema.String,
  params: Schema.optional(Schema.Struct({
    name: Schema.optional(Schema.String),
    protocolVersion: Schema.optional(Schema.String),
    arguments: Schema.optional(Schema.Struct({ scenario: Schema.optional(Schema.String) })),
    _meta: Schema.optional(Schema.Struct({ progressToken: Schema.optional(Id) }))
  }))
})

// A bad body is told one line per mistake (`model: Expected string, actual 3`), not as the schema.
const decodeWith = <A, I>(schema: Schema.Schema<A, I>, f: (a: A) => Parsed) => (body: unknown) =>
  Either.mapBoth(Schema.decodeUnknownEither(schema, { errors: "all" })(body), {
    onLeft: (error) => ParseIssues.lines(error).join("; "),
    onRight: f
  })

/** A model-call body: only the model and whether to stream matter to the simulator. */
const modelCall = (model: string, stream: boolean, includeUsage = false): Parsed => ({
  model,
  stream,
  includeUsage,
  requestId: null,
  progressToken: undefined,
  scenario: undefined
})

const parsers: Record<Exclude<SimDialect, "gemini">, (body: unknown) => Either.Either<Parsed, unknown>> = {
  openaiChat: decodeWith(
    ChatBody,
    (body) => modelCall(body.model, body.stream === true, body.stream_options?.include_usage === true)
  ),
  openaiResponses: decodeWith(StreamBody, (body) => modelCall(body.model, body.stream === true)),
  anthropic: decodeWith(StreamBody, (body) => modelCall(body.model, body.stream === true)),
  // Ollama streams unless told not to.
  ollama: decodeWith(OllamaBody, (body) => modelCall(body.model, body.stream !== false)),
  mcp: decodeWith(RpcBody, (body) => {
    const name = body.params?.name
    const scenario = body.params?.arguments?.scenario ?? (name?.startsWith("sim:") === true ? name : undefined)
    return {
      model: name ?? body.method,
      stream: true,
      includeUsage: false,
      requestId: body.id ?? null,
      progressToken: body.params?._meta?.progressToken,
      scenario
    }
  })
}

const providerHeaders = (dialect: SimDialect, id: string): Record<string, string> => {
  const base = { "cache-control": "no-cache", "x-sim-request-id": id }
  switch (dialect) {
    case "openaiChat":
    case "openaiResponses":
      return { ...base, "x-request-id": `req_${id}` }
    case "anthropic":
      return { ...base, "request-id": `req_${id}` }
    default:
      return base
  }
}

// The provider's shape, with the simulator's reason as the message.
const badRequest = (dialect: SimDialect, message: string, requestId: string | number | null) =>
  HttpServerResponse.unsafeJson(render.httpErrorBody(dialect, 400, requestId, message), { status: 400 })

const inputTokens = (body: unknown): number => Math.max(1, Math.round(JSON.stringify(body ?? "").length / 4))

const waitForHeaders = (headers: Simulation.Plan["headers"]): Effect.Effect<void> =>
  headers === "now" ? Effect.void : headers === "never" ? Effect.never : Effect.sleep(headers)

const answer = (
  registry: Registry,
  dialect: SimDialect,
  body: unknown,
  parsed: Parsed
): Effect.Effect<HttpServerResponse.HttpServerResponse, never, HttpServerRequest.HttpServerRequest> =>
  Effect.gen(function*() {
    const request = yield* HttpServerRequest.HttpServerRequest
    const header = request.headers["x-sim-scenario"]
    const spec = header ?? parsed.scenario ?? parsed.model
    const scenario = header !== undefined || parsed.scenario !== undefined ?
      ScenarioSpec.parse(spec) :
      ScenarioSpec.fromModel(parsed.model)
    if (Either.isLeft(scenario)) return badRequest(dialect, scenario.left.message, parsed.requestId)

    const url = new URL(request.url, "http://localhost")
    const tracker = registry.start({
      id: request.headers["x-sim-request-id"],
      dialect,
      method: request.method,
      path: url.pathname,
      model: parsed.model,
      scenario: header ?? parsed.scenario ?? (parsed.model.startsWith("sim:") ? parsed.model : "default"),
      scenarioName: ScenarioSpec.name(scenario.right),
      stream: parsed.stream
    })
    watchClose(request, tracker)
    return yield* respond(request, tracker, dialect, scenario.right, body, parsed).pipe(
      Effect.onInterrupt(() => Effect.sync(tracker.finish))
    )
  })

/**
 * Records the moment the connection closes before the response ended. The platform interrupts
 * the handler's fiber on the same event; the record wants the moment itself, to compare with
 * the end of generation. The listener lives as long as the per-request response object, so it
 * needs no removal.
 */
const watchClose = (request: HttpServerRequest.HttpServerRequest, tracker: RequestRecord.Tracker): void => {
  const response = NodeHttpServerRequest.toServerResponse(request)
  if (response.destroyed && !response.writableEnded) return tracker.closed()
  response.once("close", () => {
    if (!response.writableEnded) tracker.closed()
  })
}

const respond = (
  request: HttpServerRequest.HttpServerRequest,
  tracker: RequestRecord.Tracker,
  dialect: SimDialect,
  scenario: Scenario.Scenario,
  body: unknown,
  parsed: Parsed
): Effect.Effect<HttpServerResponse.HttpServerResponse> =>
  Effect.gen(function*() {
    const plan = Simulation.plan(scenario)
    yield* waitForHeaders(plan.headers)
    const headers = providerHeaders(dialect, tracker.id)
    const simRequest: Simulation.Request = {
      dialect,
      jsonArray: parsed.jsonArray,
      id: tracker.id,
      model: parsed.model,
      includeUsage: parsed.includeUsage,
      requestId: parsed.requestId,
      progressToken: parsed.progressToken,
      inputTokens: inputTokens(body)
    }

    if (plan.status !== 200) {
      tracker.headers(plan.status)
      tracker.finish()
      const errorHeaders = Option.match(plan.retryAfter, {
        onNone: () => ({ ...headers, ...plan.extraHeaders }),
        onSome: (seconds) => ({ ...headers, "retry-after": String(seconds), ...plan.extraHeaders })
      })
      return HttpServerResponse.text(Simulation.errorBody(plan, simRequest), {
        status: plan.status,
        contentType: "application/json",
        headers: errorHeaders
      })
    }

    // A reset destroys the socket; Node's `close` then interrupts this fiber.
    const onReset = Effect.suspend(() => {
      tracker.reset()
      NodeHttpServerRequest.toIncomingMessage(request).socket.destroy()
      return Effect.never
    })

    if (!parsed.stream) {
      const collected = yield* Effect.orDie(Simulation.collect(scenario, simRequest, { onReset }))
      const text = JSON.stringify(collected.body)
      // A cut-short answer is a body cut in half: invalid JSON, as a dropped proxy would leave it.
      const written = collected.end === "End" ? text.slice(0, Math.floor(text.length / 2)) : text
      const status = collected.end === "ErrorSignal" ? 500 : 200
      tracker.headers(status)
      tracker.writeBody(Buffer.byteLength(written), collected.chunks)
      tracker.finish()
      return HttpServerResponse.text(written, { status, contentType: "application/json", headers })
    }

    tracker.headers(200)
    const stream = Simulation.frames(scenario, simRequest, { onReset }).pipe(
      Stream.mapChunksEffect((frames) =>
        Effect.sync(() => {
          for (const frame of frames) tracker.write(frame)
          return Chunk.map(frames, (frame) => frame.bytes)
        })
      ),
      Stream.ensuring(Effect.sync(tracker.finish))
    )
    const contentType = parsed.jsonArray === true
      ? "application/json; charset=UTF-8"
      : Dialects.byName[dialect].contentType
    return HttpServerResponse.stream(stream, { contentType, headers })
  })

const GeminiBody = Schema.Struct({ contents: Schema.optional(Schema.Array(Schema.Unknown)) })

/**
 * Gemini's `POST /v1beta/models/{model}:streamGenerateContent` (SSE with `?alt=sse`, one JSON
 * array without) and `:generateContent` (the whole answer). The model is in the path, and the
 * method after its last colon, so a model names a scenario as in every dialect (`sim:steady`).
 */
const geminiEndpoint = (registry: Registry) =>
  Effect.gen(function*() {
    const request = yield* HttpServerRequest.HttpServerRequest
    const url = new URL(request.url, "http://localhost")
    // Greedy: the model runs to the last colon.
    const match = /^\/v1beta\/models\/([^/]+):(streamGenerateContent|generateContent)$/.exec(url.pathname)
    if (match === null) return badRequest("gemini", `unknown Gemini method: ${url.pathname}`, null)
    const body = yield* Effect.either(request.json)
    if (Either.isLeft(body)) return badRequest("gemini", "the request body is not JSON", null)
    if (Either.isLeft(Schema.decodeUnknownEither(GeminiBody)(body.right))) {
      return badRequest("gemini", "unexpected request body: contents must be an array", null)
    }
    const stream = match[2] === "streamGenerateContent"
    return yield* answer(registry, "gemini", body.right, {
      ...modelCall(decodeURIComponent(match[1]!), stream),
      jsonArray: stream && url.searchParams.get("alt") !== "sse"
    })
  })

const endpoint = (registry: Registry, dialect: Exclude<SimDialect, "gemini">) =>
  Effect.gen(function*() {
    const request = yield* HttpServerRequest.HttpServerRequest
    const body = yield* Effect.either(request.json)
    if (Either.isLeft(body)) return badRequest(dialect, "the request body is not JSON", null)
    const parsed = parsers[dialect](body.right)
    if (Either.isLeft(parsed)) return badRequest(dialect, `unexpected request body: ${String(parsed.left)}`, null)
    return yield* answer(registry, dialect, body.right, parsed.right)
  })

const mcpInfo = { name: "streamguard-upstream-simulator", version: "0.1.0" }

/**
 * MCP Streamable HTTP: `initialize` and `tools/list` answer with JSON so an MCP client can
 * connect; notifications are accepted; `tools/call` plays the scenario as SSE.
 */
const mcpEndpoint = (registry: Registry) =>
  Effect.gen(function*() {
    const request = yield* HttpServerRequest.HttpServerRequest
    const body = yield* Effect.either(request.json)
    if (Either.isLeft(body)) return badRequest("mcp", "the request body is not JSON", null)
    const decoded = Schema.decodeUnknownEither(RpcBody)(body.right)
    if (Either.isLeft(decoded)) return badRequest("mcp", "not a JSON-RPC request", null)
    const rpc = decoded.right
    if (rpc.id === undefined || rpc.id === null) return HttpServerResponse.empty({ status: 202 })
    switch (rpc.method) {
      case "initialize":
        return HttpServerResponse.unsafeJson({
          jsonrpc: "2.0",
          id: rpc.id,
          result: {
            protocolVersion: rpc.params?.protocolVersion ?? "2025-06-18",
            capabilities: { tools: {} },
            serverInfo: mcpInfo
          }
        }, { headers: { "mcp-session-id": "sim-session" } })
      case "tools/list":
        return HttpServerResponse.unsafeJson({
          jsonrpc: "2.0",
          id: rpc.id,
          result: {
            tools: [{
              name: "simulate",
              description: "Streams progress and a result as the scenario says (arguments.scenario, e.g. sim:steady).",
              inputSchema: { type: "object", properties: { scenario: { type: "string" } } }
            }]
          }
        })
      case "tools/call": {
        const parsed = parsers.mcp(body.right)
        if (Either.isLeft(parsed)) return badRequest("mcp", "not a JSON-RPC request", rpc.id)
        return yield* answer(registry, "mcp", body.right, parsed.right)
      }
      default:
        return HttpServerResponse.unsafeJson({
          jsonrpc: "2.0",
          id: rpc.id,
          error: { code: -32601, message: `method not found: ${rpc.method}` }
        })
    }
  })

/** The simulator's routes. */
export const router = (registry: Registry) =>
  HttpRouter.empty.pipe(
    HttpRouter.post("/v1/chat/completions", endpoint(registry, "openaiChat")),
    HttpRouter.post("/v1/responses", endpoint(registry, "openaiResponses")),
    HttpRouter.post("/v1/messages", endpoint(registry, "anthropic")),
    HttpRouter.post("/api/chat", endpoint(registry, "ollama")),
    HttpRouter.post("/mcp", mcpEndpoint(registry)),
    HttpRouter.post("/v1beta/models/*", geminiEndpoint(registry)),
    // No server-initiated stream: MCP clients take 405 as "not offered".
    HttpRouter.get("/mcp", Effect.succeed(HttpServerResponse.empty({ status: 405 }))),
    HttpRouter.del("/mcp", Effect.succeed(HttpServerResponse.empty({ status: 405 }))),
    HttpRouter.get(
      "/_sim/requests",
      Effect.sync(() => HttpServerResponse.unsafeJson(registry.records().map((record) => record.toJSON())))
    ),
    HttpRouter.del("/_sim/requests", Effect.sync(() => (registry.clear(), HttpServerResponse.empty({ status: 204 }))))
  )
