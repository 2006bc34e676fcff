/**
 * The rules of an in-memory upstream (each line's `TestUpstream`): what it reads from a request
 * (its dialect, model, ids, whether it streams), how its record starts, when a script's reset
 * comes before any response, the whole body of a non-streamed answer, and what each streamed write
 * tells the record. Each line adds the `HttpClient`, the response and the Clock it plays on.
 *
 * @since 0.1.0
 */
import type { Dialect } from "../protocols/Dialect.js"
import * as RequestRecord from "./RequestRecord.js"
import * as Scenario from "./Scenario.js"
import * as ScenarioSpec from "./ScenarioSpec.js"
import * as Simulation from "./Simulation.js"
import type * as Step from "./Step.js"

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
 * `attempt`, its `call`).
 *
 * @since 0.1.0
 * @category models
 */
export type Scripts = Script | ((request: Request) => Script)

/**
 * One `LlmClient` call as the fake transport knows it: its number, the dialect its stream decodes
 * with (`undefined` for a batch call, or a request sent by a client other than `LlmClient`), and
 * how many attempts it has sent.
 *
 * @since 0.1.0
 * @category models
 */
export interface Call {
  readonly index: number
  readonly dialect: Dialect<any> | undefined
  attempts: number
}

/** The dialect of a batch answer, by the URL's path. */
const byPath: Readonly<Record<string, Simulation.SimDialect>> = {
  "/v1/chat/completions": "openaiChat",
  "/v1/responses": "openaiResponses",
  "/v1/messages": "anthropic",
  "/api/chat": "ollama",
  "/api/generate": "ollama",
  "/mcp": "mcp"
}

const isId = (u: unknown): u is string | number => typeof u === "string" || typeof u === "number"

/** `JSON.parse`, `undefined` when the text is not JSON. */
const parseJson = (text: string): unknown => {
  try {
    return JSON.parse(text)
  } catch {
    return undefined
  }
}

/**
 * What one request arriving at the upstream is: as it was received (`request`), the scenario it
 * plays, whom that answers and in which dialect (`simulation`), and its record, started.
 *
 * @since 0.1.0
 * @category models
 */
export interface Arrival {
  readonly request: Request
  readonly scenario: Scenario.Scenario
  readonly simulation: Simulation.Request
  readonly tracker: RequestRecord.Tracker
  /** The `content-type` of a streamed answer. */
  readonly contentType: string
}

/**
 * What `arrive` reads a request from.
 *
 * @since 0.1.0
 * @category models
 */
export interface Received {
  readonly method: string
  readonly url: URL
  readonly headers: Readonly<Record<string, string>>
  readonly body: string
  readonly call: Call
  readonly scripts: Scripts
  /** The dialect of batch answers when the URL path does not say. Default `openaiChat`. */
  readonly batchDialect: Simulation.SimDialect | undefined
  /** Epoch milliseconds of the Clock the upstream plays on. */
  readonly now: () => number
}

/**
 * A request arriving: counts the call's attempt, reads the request (a stream answers in the call's
 * dialect, a batch call in the URL path's; without a call's dialect the body's `"stream": true`
 * says it streams, as providers read it), chooses its scenario and starts its record.
 *
 * @since 0.1.0
 * @category constructors
 */
export const arrive = (received: Received): Arrival => {
  const { call, url } = received
  call.attempts++
  const dialect: Simulation.Request["dialect"] = call.dialect ??
    byPath[url.pathname] ?? received.batchDialect ?? "openaiChat"
  const json = parseJson(received.body)
  const fields = typeof json === "object" && json !== null ? json as Record<string, unknown> : {}
  const request: Request = {
    method: received.method,
    url: url.toString(),
    headers: received.headers,
    body: received.body,
    json,
    call: call.index,
    attempt: call.attempts,
    stream: call.dialect !== undefined || fields.stream === true,
    dialect: typeof dialect === "string" ? dialect : dialect.name
  }
  const script = typeof received.scripts === "function" ? received.scripts(request) : received.scripts
  const scenario: Scenario.Scenario = Array.isArray(script) ? Scenario.script(script) : script as Scenario.Scenario
  const model = typeof fields.model === "string" ? fields.model : ""
  // MCP: progress goes only to a request that asked for it, as the simulator does.
  const progress = (fields.params as { _meta?: { progressToken?: unknown } } | undefined)?._meta?.progressToken
  const tracker = RequestRecord.track({
    id: `call${call.index}-attempt${call.attempts}`,
    dialect: request.dialect,
    method: request.method,
    path: url.pathname,
    model,
    scenario: ScenarioSpec.name(scenario),
    scenarioName: ScenarioSpec.name(scenario),
    stream: request.stream
  }, { now: received.now })
  const simulation: Simulation.Request = {
    dialect,
    id: tracker.id,
    model: model === "" ? "sim-model" : model,
    requestId: isId(fields.id) ? fields.id : null,
    progressToken: isId(progress) ? progress : undefined,
    inputTokens: Math.max(1, Math.round(received.body.length / 4))
  }
  return { request, scenario, simulation, tracker, contentType: call.dialect?.contentType ?? "text/event-stream" }
}

/**
 * The first step of a script that is not a `Wait`, and the waits before it (in milliseconds): a
 * script that starts with a `Reset` fails the connection before any response.
 *
 * @since 0.1.0
 * @category getters
 */
export const lead = (
  scenario: Scenario.Scenario
): { readonly delayMillis: number; readonly tag: string | undefined } => {
  let delayMillis = 0
  if (scenario._tag !== "Script") return { delayMillis, tag: undefined }
  for (const step of scenario.steps) {
    if (step._tag !== "Wait") return { delayMillis, tag: step._tag }
    delayMillis += step.duration
  }
  return { delayMillis, tag: undefined }
}

/**
 * A TCP reset as undici reports it, so a client's own mapping makes it `reason: "reset"`.
 *
 * @since 0.1.0
 * @category constants
 */
export const resetCause = { code: "ECONNRESET", message: "the script reset the connection" } as const

const encoder = new TextEncoder()

/**
 * The whole body of a batch call from the scenario's collected answer, told to the record: 500
 * with the error payload after an error signal, a body cut in half when the answer was cut short
 * (as the simulator sends it).
 *
 * @since 0.1.0
 * @category constructors
 */
export const batchAnswer = (
  collected: Simulation.Collected,
  tracker: RequestRecord.Tracker
): { readonly status: number; readonly bytes: Uint8Array } => {
  const text = JSON.stringify(collected.body)
  const bytes = encoder.encode(collected.end === "End" ? text.slice(0, Math.floor(text.length / 2)) : text)
  const status = collected.end === "ErrorSignal" ? 500 : 200
  tracker.headers(status)
  tracker.writeBody(bytes.length, collected.chunks)
  tracker.finish()
  return { status, bytes }
}

/**
 * The scenario's HTTP error answer (its `Simulation.plan` when the status is not 200), told to the
 * record: the error body in the request's dialect, and the headers.
 *
 * @since 0.1.0
 * @category constructors
 */
export const errorAnswer = (
  plan: Simulation.Plan,
  arrival: Pick<Arrival, "simulation" | "tracker">
): { readonly bytes: Uint8Array; readonly headers: Readonly<Record<string, string>> } => {
  const { simulation, tracker } = arrival
  const bytes = encoder.encode(Simulation.errorBody(plan, simulation))
  tracker.headers(plan.status)
  tracker.writeBody(bytes.length, 0)
  tracker.finish()
  const retryAfter = plan.retryAfter === undefined ? {} : { "retry-after": String(plan.retryAfter) }
  return { bytes, headers: { "content-type": "application/json", ...retryAfter, ...plan.extraHeaders } }
}

/**
 * Tells the record of a streamed answer's writes; true when one of them ended the answer (its done
 * or its error signal).
 *
 * @since 0.1.0
 * @category constructors
 */
export const written = (frames: Iterable<Simulation.Frame>, tracker: RequestRecord.Tracker): boolean => {
  let ended = false
  for (const frame of frames) {
    tracker.write(frame)
    if (frame.event === "Done" || frame.event === "ErrorSignal") {
      ended = true
      tracker.finish()
    }
  }
  return ended
}
