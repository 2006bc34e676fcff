/**
 * A scenario played as bytes, without a server: what `UpstreamSimulator` writes to a socket,
 * available in-process so tests can run it under `TestClock` (every wait is an Effect sleep).
 *
 * @since 0.1.0
 */
import type * as StreamEvent from "@streamguard/core/StreamEvent"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
import * as play from "./internal/play.js"
import type * as render from "./internal/render.js"
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
 * What the simulated provider knows about the request it answers.
 *
 * @since 0.1.0
 * @category models
 */
export interface Request {
  readonly dialect: SimDialect
  /** Used to make the provider's ids (`chatcmpl-<id>`, `msg_<id>`). Default `sim`. */
  readonly id?: string | undefined
  /** Echoed in payloads. Default `sim-model`. */
  readonly model?: string | undefined
  /** OpenAI Chat: `stream_options.include_usage`, a last chunk with `usage` before `[DONE]`. */
  readonly includeUsage?: boolean | undefined
  /** MCP: the JSON-RPC id to answer. */
  readonly rpcId?: string | number | null | undefined
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
export class SimulatedReset extends Schema.TaggedError<SimulatedReset>("@streamguard/testing/SimulatedReset")(
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
  /** Response headers a script's `HttpError` step asked for. */
  readonly extraHeaders: Readonly<Record<string, string>>
  /** The error body a script's `HttpError` step gave (else the provider's own). */
  readonly body: Option.Option<string>
}

const ok: Plan = { status: 200, retryAfter: Option.none(), headers: "now", extraHeaders: {}, body: Option.none() }

/**
 * How the scenario's response starts. A script whose first step other than `Wait` is
 * `HttpError` answers with that status after those waits; every other script starts with 200.
 *
 * @since 0.1.0
 * @category constructors
 */
export const plan = (scenario: Scenario.Scenario): Plan => {
  switch (scenario._tag) {
    case "HttpError":
      return {
        ...ok,
        status: scenario.status,
        retryAfter: scenario.retryAfter !== undefined ?
          Option.some(scenario.retryAfter) :
          scenario.status === 429 || scenario.status === 503 ?
          Option.some(1) :
          Option.none()
      }
    case "SlowHeaders":
      return { ...ok, headers: scenario.delay }
    case "Script": {
      let delay = Duration.zero
      for (const step of scenario.steps) {
        if (step._tag === "Wait") {
          delay = Duration.sum(delay, step.duration)
          continue
        }
        if (step._tag !== "HttpError") return ok
        return {
          status: step.status,
          retryAfter: Option.none(),
          headers: Duration.isZero(delay) ? "now" : delay,
          extraHeaders: step.headers ?? {},
          body: Option.fromNullable(step.body)
        }
      }
      return ok
    }
    default:
      return ok
  }
}

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
export interface PlayOptions {
  /**
   * What a `Reset` step does. In-process (the default) the stream fails with
   * `SimulatedReset`; the server destroys the socket.
   */
  readonly onReset?: Effect.Effect<never, SimulatedReset> | undefined
}

const metaOf = (request: Request): play.Meta => ({
  dialect: request.dialect,
  id: request.id ?? "sim",
  model: request.model ?? "sim-model",
  includeUsage: request.includeUsage ?? false,
  rpcId: request.rpcId ?? null,
  progressToken: request.progressToken,
  inputTokens: request.inputTokens ?? 12
})

/**
 * The scenario's response body as frames: the dialect's opening, then each step, stopping
 * after the first terminal step. Waits are Effect sleeps: under `TestClock` they pass when the
 * test adjusts the clock. Long waits carry keepalives when the dialect sends them (Anthropic
 * pings every 15 s by default; set the scenario's `keepalive` to change that).
 *
 * @since 0.1.0
 * @category streams
 */
export const frames = (
  scenario: Scenario.Scenario,
  request: Request,
  options: PlayOptions = {}
): Stream.Stream<Frame, SimulatedReset> =>
  play.frames(scenario, metaOf(request), options.onReset ?? Effect.fail(new SimulatedReset()))

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
export const collect = (
  scenario: Scenario.Scenario,
  request: Request,
  options: PlayOptions = {}
): Effect.Effect<Collected, SimulatedReset> =>
  play.collect(scenario, metaOf(request), options.onReset ?? Effect.fail(new SimulatedReset()))

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
