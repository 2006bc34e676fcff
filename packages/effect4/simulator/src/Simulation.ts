/**
 * A scenario played as bytes, without a server: what `UpstreamSimulator` writes to a socket,
 * available in-process so tests can run it under `TestClock` (every wait is an Effect sleep).
 * The kernel's timeline, driven on the Effect `Clock`.
 *
 * @since 0.1.0
 */
import type * as Scenario from "@streamguard/kernel/simulator/Scenario"
import * as Kernel from "@streamguard/kernel/simulator/Simulation"
import * as SimulatorError from "@streamguard/kernel/simulator/SimulatorError"
import type * as Step from "@streamguard/kernel/simulator/Step"
import * as Timeline from "@streamguard/kernel/simulator/Timeline"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
import * as timeline from "./internal/timeline.js"

export type {
  /**
   * A non-streaming answer: how the scenario ended and the JSON body to send.
   *
   * @since 0.1.0
   * @category models
   */
  Collected,
  /**
   * One write: the encoded event and what it meant (`Raw`: bytes a `Raw` step wrote as they are).
   *
   * @since 0.1.0
   * @category models
   */
  Frame,
  /**
   * What the simulated provider knows about the request it answers: its dialect (a simulator
   * dialect by name, or any protocols `Dialect`), its ids, model and usage.
   *
   * @since 0.1.0
   * @category models
   */
  Request,
  /**
   * The dialects the simulator plays (the shared names of ARCHITECTURE.md).
   *
   * @since 0.1.0
   * @category models
   */
  SimDialect
} from "@streamguard/kernel/simulator/Simulation"

export {
  /**
   * How many content chunks the scenario sends (an endless `ping-only` sends none).
   *
   * @since 0.1.0
   * @category getters
   */
  chunkCount,
  /**
   * The content text the scenario sends, token by token, concatenated: what a client should
   * read from its content chunks.
   *
   * @since 0.1.0
   * @category getters
   */
  text
} from "@streamguard/kernel/simulator/Simulation"

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
    return SimulatorError.message(this)
  }
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

/**
 * How the scenario's response starts: an `HttpError` answers its status after its `delay`,
 * `SlowHeaders` holds the headers back; every other scenario starts with 200 at once.
 *
 * @since 0.1.0
 * @category constructors
 */
export const plan = (scenario: Scenario.Scenario): Plan => {
  const plain = Kernel.plan(scenario)
  return {
    status: plain.status,
    retryAfter: Option.fromNullishOr(plain.retryAfter),
    headers: typeof plain.headers === "number" ? Duration.millis(plain.headers) : plain.headers,
    extraHeaders: plain.extraHeaders,
    body: Option.fromNullishOr(plain.body)
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
export const errorBody = (plan: Plan, request: Kernel.Request): string =>
  Kernel.errorBody({ status: plan.status, body: Option.getOrUndefined(plan.body) }, request)

/**
 * The steps a scenario plays. Every content step carries its text; endless scenarios
 * (`ping-only`) give an endless stream.
 *
 * @since 0.1.0
 * @category constructors
 */
export const steps = (scenario: Scenario.Scenario): Stream.Stream<Step.Step> =>
  Stream.suspend(() => Stream.fromIterable(Kernel.steps(scenario)))

/**
 * @since 0.1.0
 * @category models
 */
export interface PlayOptions<E = SimulatedReset> {
  /**
   * What a `Reset` step does. In-process (the default) the stream fails with
   * `SimulatedReset`; an in-memory HTTP client fails the body with its own transport error.
   */
  readonly onReset?: Effect.Effect<never, E> | undefined
}

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
    request: Kernel.Request,
    options: PlayOptions<E> & { readonly onReset: Effect.Effect<never, E> }
  ): Stream.Stream<Kernel.Frame, E>
  (
    scenario: Scenario.Scenario,
    request: Kernel.Request,
    options?: PlayOptions
  ): Stream.Stream<Kernel.Frame, SimulatedReset>
} = (scenario: Scenario.Scenario, request: Kernel.Request, options: PlayOptions<unknown> = {}) =>
  timeline.stream((clock) => Timeline.frames(scenario, request, clock), resetOf(options))

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
    request: Kernel.Request,
    options: PlayOptions<E> & { readonly onReset: Effect.Effect<never, E> }
  ): Effect.Effect<Kernel.Collected, E>
  (
    scenario: Scenario.Scenario,
    request: Kernel.Request,
    options?: PlayOptions
  ): Effect.Effect<Kernel.Collected, SimulatedReset>
} = (scenario: Scenario.Scenario, request: Kernel.Request, options: PlayOptions<unknown> = {}) =>
  timeline.run((clock) => Timeline.collect(scenario, request, clock), resetOf(options))

/**
 * The scenario's response body as bytes, in-process (see `frames`).
 *
 * @since 0.1.0
 * @category streams
 */
export const stream = (
  scenario: Scenario.Scenario,
  request: Kernel.Request,
  options?: PlayOptions
): Stream.Stream<Uint8Array, SimulatedReset> => Stream.map(frames(scenario, request, options), (frame) => frame.bytes)
