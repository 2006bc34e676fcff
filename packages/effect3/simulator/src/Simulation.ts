/**
 * A scenario played as bytes, without a server: what `UpstreamSimulator` writes to a socket,
 * available in-process so tests can run it under `TestClock` (every wait is an Effect sleep).
 *
 * @since 0.1.0
 */
import type * as StreamEvent from "@streamguard/core-effect3/StreamEvent"
import type { Dialect, ResponseMeta } from "@streamguard/protocols-effect3/Dialect"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
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
   * The dialect to answer in: a simulator dialect by name, or any protocols `Dialect` (Gemini, a
   * custom `sse(...)`). Either way the dialect's own writers write every payload.
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
 * A `Reset` step played in-process, where there is no socket to destroy.
 *
 * @since 0.1.0
 * @category errors
 */
export class SimulatedReset extends Schema.TaggedError<SimulatedReset>("@streamguard/simulator/SimulatedReset")(
  "SimulatedReset",
  {}
) {
  /** @since 0.1.0 */
  override get message(): string {
    return "the scenario reset the connection"
  }
}

/**
 * One write: the encoded event and what it meant (`Raw`: bytes a `Raw` step wrote as they are).
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
  readonly retryAfter: Option.Option<number>
  /** `now`, after a delay, or `never` (the request hangs until the client gives up). */
  readonly headers: "now" | "never" | Duration.Duration
  /** Response headers the scenario adds (`HttpError`'s `headers`). */
  readonly extraHeaders: Readonly<Record<string, string>>
  /** The error body the scenario gave (else the provider's own: see `errorBody`). */
  readonly body: Option.Option<string>
}

const ok: Plan = { status: 200, retryAfter: Option.none(), headers: "now", extraHeaders: {}, body: Option.none() }

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
        retryAfter: scenario.retryAfter !== undefined ?
          Option.some(scenario.retryAfter) :
          scenario.status === 429 || scenario.status === 503 ?
          Option.some(1) :
          Option.none(),
        headers: scenario.delay === undefined || Duration.isZero(scenario.delay) ? "now" : scenario.delay,
        extraHeaders: scenario.headers ?? {},
        body: Option.fromNullable(scenario.body)
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
export const errorBody = (plan: Plan, request: Request): string =>
  Option.getOrElse(
    plan.body,
    () => JSON.stringify(render.httpErrorBody(request.dialect, plan.status, request.requestId ?? null))
  )

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
 * The steps a scenario plays. Every content step carries its text; endless scenarios
 * (`ping-only`) give an endless stream.
 *
 * @since 0.1.0
 * @category constructors
 */
export const steps: (scenario: Scenario.Scenario) => Stream.Stream<Step.Step> = play.steps

/**
 * @since 0.1.0
 * @category models
 */
export interface PlayOptions<E = SimulatedReset> {
  /**
   * What a `Reset` step does. In-process (the default) the stream fails with
   * `SimulatedReset`; the server destroys the socket; an in-memory HTTP client fails the body
   * with its own transport error.
   */
  readonly onReset?: Effect.Effect<never, E> | undefined
}

const metaOf = (request: Request): play.Meta => ({
  dialect: request.dialect,
  jsonArray: request.jsonArray,
  id: request.id ?? "sim",
  model: request.model ?? "sim-model",
  includeUsage: request.includeUsage ?? false,
  requestId: request.requestId ?? null,
  progressToken: request.progressToken,
  inputTokens: request.inputTokens ?? 12
})

// Typed by the overloads: the reset's error when one is given, else `SimulatedReset`.
const resetOf = (options: PlayOptions<unknown>): Effect.Effect<never, any> =>
  options.onReset ?? Effect.fail(new SimulatedReset())

/**
 * The scenario's response body as frames: the dialect's opening, then each step, stopping
 * after the first terminal step. Waits are Effect sleeps: under `TestClock` they pass when the
 * test adjusts the clock. Long waits carry keepalives when the dialect sends them (Anthropic
 * pings every 15 s by default; set the scenario's `keepalive` to change that).
 *
 * @since 0.1.0
 * @category streams
 */
export const frames: {
  <E>(
    scenario: Scenario.Scenario,
    request: Request,
    options: PlayOptions<E> & { readonly onReset: Effect.Effect<never, E> }
  ): Stream.Stream<Frame, E>
  (scenario: Scenario.Scenario, request: Request, options?: PlayOptions): Stream.Stream<Frame, SimulatedReset>
} = (scenario: Scenario.Scenario, request: Request, options: PlayOptions<unknown> = {}) =>
  play.frames(scenario, metaOf(request), resetOf(options))

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

/**
 * Plays the scenario with all its waits and faults, without writing anything, and gives the
 * non-streaming body (`stream: false` requests). A stall never completes.
 *
 * @since 0.1.0
 * @category constructors
 */
export const collect: {
  <E>(
    scenario: Scenario.Scenario,
    request: Request,
    options: PlayOptions<E> & { readonly onReset: Effect.Effect<never, E> }
  ): Effect.Effect<Collected, E>
  (scenario: Scenario.Scenario, request: Request, options?: PlayOptions): Effect.Effect<Collected, SimulatedReset>
} = (scenario: Scenario.Scenario, request: Request, options: PlayOptions<unknown> = {}) =>
  play.collect(scenario, metaOf(request), resetOf(options))

/**
 * The scenario's response body as bytes, in-process (see `frames`).
 *
 * @since 0.1.0
 * @category streams
 */
export const stream = (
  scenario: Scenario.Scenario,
  request: Request,
  options?: PlayOptions
): Stream.Stream<Uint8Array, SimulatedReset> => Stream.map(frames(scenario, request, options), (frame) => frame.bytes)
