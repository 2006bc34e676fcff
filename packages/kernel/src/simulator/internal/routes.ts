/**
 * The server's routes: each dialect's endpoint (the body read, the scenario named, the record
 * started, the response played), MCP's JSON-RPC methods, Gemini's model-in-the-path methods, and
 * the records at `/_sim/requests`. A bad request is a 400 in the provider's own error shape,
 * saying what is wrong; an unknown route is a 404.
 */
import type * as Http from "node:http"
import type { Clock } from "../../Clock.js"
import * as ScenarioSpec from "../ScenarioSpec.js"
import * as SimulatorError from "../SimulatorError.js"
import type { Registry } from "./registry.js"
import * as render from "./render.js"
import type { SimDialect } from "./render.js"
import type { Parsed } from "./requestBody.js"
import { GeminiBody, modelCall, parsers, RpcBody } from "./requestBody.js"
import { respond } from "./respond.js"
import * as Shape from "./shape.js"

/** What the routes share: the clock, the records, and what stops each response in progress. */
export interface Context {
  readonly clock: Clock
  readonly registry: Registry
  readonly stops: Set<() => void>
}

/** One request as a route sees it: its URL read once. */
interface Incoming {
  readonly request: Http.IncomingMessage
  readonly response: Http.ServerResponse
  readonly url: URL
}

const sendJson = (
  response: Http.ServerResponse,
  status: number,
  value: unknown,
  headers: Record<string, string> = {}
): void => {
  const body = JSON.stringify(value)
  response.writeHead(status, {
    "content-type": "application/json",
    "content-length": Buffer.byteLength(body),
    ...headers
  })
  response.end(body)
}

const sendEmpty = (response: Http.ServerResponse, status: number): void => {
  response.writeHead(status)
  response.end()
}

// The provider's shape, with the simulator's reason as the message.
const badRequest = (
  response: Http.ServerResponse,
  dialect: SimDialect,
  message: string,
  requestId: string | number | null
): void => sendJson(response, 400, render.httpErrorBody(dialect, 400, requestId, message))

/** A POST route: the request with its body read (`notJson` when it is not JSON). */
type Post = (context: Context, incoming: Incoming, body: unknown) => void

/** A body that is not JSON. */
const notJson: unique symbol = Symbol("notJson")

const readBody = (request: Http.IncomingMessage, then: (body: unknown) => void): void => {
  const chunks: Array<Buffer> = []
  request.on("data", (chunk: Buffer) => chunks.push(chunk))
  request.once("end", () => {
    let body: unknown = notJson
    try {
      body = JSON.parse(Buffer.concat(chunks).toString("utf8"))
    } catch {
      // Said to the client as a 400: see the endpoints.
    }
    then(body)
  })
}

/** Names the scenario, starts the record and plays the response. */
const answer = (context: Context, incoming: Incoming, dialect: SimDialect, body: unknown, parsed: Parsed): void => {
  const { request, response } = incoming
  const header = request.headers["x-sim-scenario"] as string | undefined
  const named = header ?? parsed.scenario
  const scenario = named !== undefined ? ScenarioSpec.parse(named) : ScenarioSpec.fromModel(parsed.model)
  if (ScenarioSpec.isFailure(scenario)) {
    return badRequest(response, dialect, SimulatorError.message(scenario), parsed.requestId)
  }
  const tracker = context.registry.start({
    id: request.headers["x-sim-request-id"] as string | undefined,
    dialect,
    method: request.method ?? "POST",
    path: incoming.url.pathname,
    model: parsed.model,
    scenario: named ?? (parsed.model.startsWith("sim:") ? parsed.model : "default"),
    scenarioName: ScenarioSpec.name(scenario),
    stream: parsed.stream
  })
  respond({ request, response, tracker, dialect, scenario, parsed, body, clock: context.clock }, context.stops)
}

const endpoint = (dialect: Exclude<SimDialect, "gemini">): Post => (context, incoming, body) => {
  const { response } = incoming
  if (body === notJson) return badRequest(response, dialect, "the request body is not JSON", null)
  const parsed = parsers[dialect](body)
  if (parsed._tag === "Invalid") return badRequest(response, dialect, `unexpected request body: ${parsed.reason}`, null)
  answer(context, incoming, dialect, body, parsed.parsed)
}

const geminiMethod = /^\/v1beta\/models\/([^/]+):(streamGenerateContent|generateContent)$/

/**
 * Gemini's `POST /v1beta/models/{model}:streamGenerateContent` (SSE with `?alt=sse`, one JSON
 * array without) and `:generateContent` (the whole answer). The model is in the path, and the
 * method after its last colon, so a model names a scenario as in every dialect (`sim:steady`).
 */
const gemini: Post = (context, incoming, body) => {
  const { response, url } = incoming
  // Greedy: the model runs to the last colon.
  const match = geminiMethod.exec(url.pathname)
  if (match === null) return badRequest(response, "gemini", `unknown Gemini method: ${url.pathname}`, null)
  if (body === notJson) return badRequest(response, "gemini", "the request body is not JSON", null)
  if (Shape.decode(GeminiBody, body)._tag === "Invalid") {
    return badRequest(response, "gemini", "unexpected request body: contents must be an array", null)
  }
  let model: string
  try {
    model = decodeURIComponent(match[1]!)
  } catch {
    return badRequest(response, "gemini", `the model in the path is not URL-encoded text: ${match[1]}`, null)
  }
  const stream = match[2] === "streamGenerateContent"
  answer(context, incoming, "gemini", body, {
    ...modelCall(model, stream),
    jsonArray: stream && url.searchParams.get("alt") !== "sse"
  })
}

const mcpInfo = { name: "streamguard-upstream-simulator", version: "0.1.0" }

const simulateTool = {
  name: "simulate",
  description: "Streams progress and a result as the scenario says (arguments.scenario, e.g. sim:steady).",
  inputSchema: { type: "object", properties: { scenario: { type: "string" } } }
}

/**
 * MCP Streamable HTTP: `initialize` and `tools/list` answer with JSON so an MCP client can
 * connect; notifications are accepted; `tools/call` plays the scenario as SSE.
 */
const mcp: Post = (context, incoming, body) => {
  const { response } = incoming
  if (body === notJson) return badRequest(response, "mcp", "the request body is not JSON", null)
  const decoded = Shape.isRecord(body) ? Shape.decode(RpcBody, body) : undefined
  if (decoded?._tag !== "Ok") return badRequest(response, "mcp", "not a JSON-RPC request", null)
  const rpc = decoded.value
  if (rpc.id === undefined || rpc.id === null) return sendEmpty(response, 202)
  switch (rpc.method) {
    case "initialize":
      return sendJson(response, 200, {
        jsonrpc: "2.0",
        id: rpc.id,
        result: {
          protocolVersion: rpc.params?.protocolVersion ?? "2025-06-18",
          capabilities: { tools: {} },
          serverInfo: mcpInfo
        }
      }, { "mcp-session-id": "sim-session" })
    case "tools/list":
      return sendJson(response, 200, { jsonrpc: "2.0", id: rpc.id, result: { tools: [simulateTool] } })
    case "tools/call": {
      const parsed = parsers.mcp(body)
      if (parsed._tag === "Invalid") return badRequest(response, "mcp", "not a JSON-RPC request", rpc.id)
      return answer(context, incoming, "mcp", body, parsed.parsed)
    }
    default:
      return sendJson(response, 200, {
        jsonrpc: "2.0",
        id: rpc.id,
        error: { code: -32601, message: `method not found: ${rpc.method}` }
      })
  }
}

const posts: Readonly<Record<string, Post>> = {
  "/v1/chat/completions": endpoint("openaiChat"),
  "/v1/responses": endpoint("openaiResponses"),
  "/v1/messages": endpoint("anthropic"),
  "/api/chat": endpoint("ollama"),
  "/mcp": mcp
}

/** The route a request's method and path name, or `undefined` for a 404. */
const route = (context: Context, method: string, path: string): ((incoming: Incoming) => void) | undefined => {
  if (method === "POST") {
    const post = posts[path] ?? (path.startsWith("/v1beta/models/") ? gemini : undefined)
    return post && ((incoming) => readBody(incoming.request, (body) => post(context, incoming, body)))
  }
  // No server-initiated stream: MCP clients take 405 as "not offered".
  if (path === "/mcp" && (method === "GET" || method === "DELETE")) return ({ response }) => sendEmpty(response, 405)
  if (path === "/_sim/requests" && method === "GET") {
    return ({ response }) => sendJson(response, 200, context.registry.records().map((record) => record.toJSON()))
  }
  if (path === "/_sim/requests" && method === "DELETE") {
    return ({ response }) => {
      context.registry.clear()
      sendEmpty(response, 204)
    }
  }
  return undefined
}

const readUrl = (raw: string | undefined): URL | undefined => {
  try {
    return new URL(raw ?? "/", "http://localhost")
  } catch {
    return undefined
  }
}

/** The server's request listener. */
export const handler = (context: Context) => (request: Http.IncomingMessage, response: Http.ServerResponse): void => {
  const url = readUrl(request.url)
  if (url === undefined) return sendEmpty(response, 400)
  // A trailing slash names the same route.
  const path = url.pathname.length > 1 && url.pathname.endsWith("/") ? url.pathname.slice(0, -1) : url.pathname
  const handle = route(context, request.method ?? "GET", path)
  if (handle === undefined) return sendEmpty(response, 404)
  handle({ request, response, url })
}
