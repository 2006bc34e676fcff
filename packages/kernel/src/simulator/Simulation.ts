/**
 * A scenario as a response, without a server: how it starts (`plan`), the content it sends
 * (`text`, `chunkCount`), the steps it plays (`steps`) and the error body of an HTTP error
 * (`errorBody`). What it writes and when is its `Timeline`; each Effect line's `Simulation`
 * plays that on its own `Clock`, and the server on its timers.
 *
 * @since 0.1.0
 */
import type { Dialect, ResponseMeta } from "../protocols/Dialect.js"
import type * as StreamEvent from "../StreamEvent.js"
import * as play from "./internal/play.js"
import * as render from "./internal/render.js"
import type * as Scenario from "./Scenario.js"
import type * as Step from "./Step.js"

/**
 * The dialects the simulator plays (the shared names of ARCHITECTURE.md).
 *
 * @since 0.1.0
 * @category models
 */
export type SimDialect = render.SimDialect

/**
 * What the simulated provider knows about the request it answers. `includeUsage` (OpenAI Chat's
 * last `usage` chunk) and `requestId` (the JSON-RPC id an MCP answer carries) mean what they mean
 * to the dialect's writers (`ResponseMeta`).
 *
 * @since 0.1.0
 * @category models
 */
export interface Request extends Pick<ResponseMeta, "includeUsage" | "requestId"> {
  /**
   * The dialect to answer in: a simulator dialect by name, or any `Dialect` (Gemini, a custom
   * `sse(...)`). Either way the dialect's own writers write every payload.
   */
  readonly dialect: SimDialect | Dialect<any>
  /** Gemini without `alt=sse`: the stream is one JSON array, not SSE. */
  readonly jsonArray?: boolean | undefined
  /** Used to make the provider's ids (`chatcmpl-<id>`, `msg_<id>`). Default `sim`. */
  readonly id?: string | undefined
  /** Echoed in payloads. Default `sim-model`. */
  readonly model?: string | undefined
  /** MCP: the request's `_meta.progressToken`; without it, tokens go out as log notifications. */
  readonly progressToken?: string | number | undefined
  /** Reported as input/prompt tokens in usage. Default 12. */
  readonly inputTokens?: number | undefined
}

/**
 * One write: the encoded event and what it meant (`Raw`: bytes a `Raw` step wrote as they are,
 * or the closing bracket of a JSON array).
 *
 * @since 0.1.0
 * @category models
 */
export interface Frame {
  readonly bytes: Uint8Array
  readonly event: StreamEvent.StreamEvent<unknown>["_tag"] | "Raw"
  /** A piece of an event that is not its last (`slow-drip` writes events in pieces). */
  readonly partial: boolean
}

/**
 * How the response starts: its status, and when its headers go out.
 *
 * @since 0.1.0
 * @category models
 */
export interface Plan {
  readonly status: number
  /** Seconds, for a `retry-after` header. */
  readonly retryAfter: number | undefined
  /** `now`, after this many milliseconds, or `never` (the request hangs until the client gives up). */
  readonly headers: "now" | "never" | number
  /** Response headers the scenario adds (`HttpError`'s `headers`). */
  readonly extraHeaders: Readonly<Record<string, string>>
  /** The error body the scenario gave (else the provider's own: see `errorBody`). */
  readonly body: string | undefined
}

const ok: Plan = { status: 200, retryAfter: undefined, headers: "now", extraHeaders: {}, body: undefined }

/**
 * How the scenario's response starts: an `HttpError` answers its status after its `delay`,
 * `SlowHeaders` holds the headers back; every other scenario starts with 200 at once.
 *
 * @since 0.1.0
 * @category constructors
 */
export const plan = (scenario: Scenario.Scenario): Plan => {
  switch (scenario._tag) {
    case "HttpError":
      return {
        status: scenario.status,
        retryAfter: scenario.retryAfter ?? (scenario.status === 429 || scenario.status === 503 ? 1 : undefined),
        headers: scenario.delay === undefined || scenario.delay === 0 ? "now" : scenario.delay,
        extraHeaders: scenario.headers ?? {},
        body: scenario.body
      }
    case "SlowHeaders":
      return { ...ok, headers: scenario.delay }
    default:
      return ok
  }
}

/**
 * The body of an HTTP error answer (a status other than 200): the scenario's own `body`, else the
 * provider's JSON error body for the status, in the request's dialect (OpenAI's shape for a
 * dialect the simulator has no error body for).
 *
 * @since 0.1.0
 * @category getters
 */
export const errorBody = (plan: Pick<Plan, "status" | "body">, request: Request): string =>
  plan.body ?? JSON.stringify(render.httpErrorBody(request.dialect, plan.status, request.requestId ?? null))

/**
 * The content text the scenario sends, token by token, concatenated: what a client should
 * read from its content chunks.
 *
 * @since 0.1.0
 * @category getters
 */
export const text = (scenario: Scenario.Scenario): string => play.contentOf(scenario).join("")

/**
 * How many content chunks the scenario sends (an endless `ping-only` sends none).
 *
 * @since 0.1.0
 * @category getters
 */
export const chunkCount = (scenario: Scenario.Scenario): number => play.contentOf(scenario).length

/**
 * The steps a scenario plays, lazily, each content chunk carrying its text; endless scenarios
 * (`ping-only`) give an endless sequence. Each iteration starts afresh (the same jitter).
 *
 * @since 0.1.0
 * @category constructors
 */
export const steps = (scenario: Scenario.Scenario): Iterable<Step.Step> => ({
  [Symbol.iterator]: () => play.steps(scenario)
})

/**
 * A non-streaming answer: how the scenario ended and the JSON body to send.
 *
 * @since 0.1.0
 * @category models
 */
export interface Collected {
  /** `Done` (a full answer), `ErrorSignal` (the body is the error payload) or `End` (cut short). */
  readonly end: "Done" | "ErrorSignal" | "End"
  readonly body: unknown
  readonly chunks: number
}
