/**
 * What the simulator plays for one request, as data: a named, parameterised behaviour (`steady`,
 * `think`, `stallAfter`, an HTTP error, ...) or a script of steps. The one vocabulary of the
 * simulator, the in-process `Simulation` and the in-memory upstream of `@streamguard/testing`.
 *
 * Every constructor takes the scenario's JSON form (`gap: "5ms"`, `chunks: 3`), the same fields a
 * spec names in a model (`sim:steady?chunks=3&gap=5ms`, see `ScenarioSpec`), and fills the same
 * defaults. Scenarios are the kernel's plain data (durations in milliseconds), shared by every
 * Effect line; `script` also takes an Effect `Duration.Input` for its keepalive.
 *
 * @since 0.1.0
 */
import * as Kernel from "@streamguard/kernel/simulator/Scenario"
import type * as Step from "@streamguard/kernel/simulator/Step"
import type * as Duration from "effect/Duration"
import type * as Schema from "effect/Schema"
import { durationInput } from "./internal/durationInput.js"
import { fromKind, fromReader } from "./internal/schema.js"

export * from "@streamguard/kernel/simulator/Scenario"

/**
 * Any scenario, told apart by `_tag`, with durations in milliseconds.
 *
 * @since 0.1.0
 * @category models
 */
export type Scenario = Kernel.Scenario

/**
 * A scenario from its JSON form (`{"_tag":"Steady","gap":"5ms"}`, what `ScenarioSpec.toHeader`
 * writes), with its defaults filled; a mistake fails with a `ParseError` naming each one, in the
 * words a spec's `ScenarioParseError` uses.
 *
 * @since 0.1.0
 * @category schemas
 */
export const Scenario: Schema.Codec<Kernel.Scenario, Kernel.Scenario> = fromReader("Scenario", Kernel.read)

/**
 * Tokens at a steady pace, then the dialect's done. The schema of its JSON form.
 *
 * @since 0.1.0
 * @category schemas
 */
export const Steady = fromKind(Kernel.Steady)

/**
 * @since 0.1.0
 * @category models
 */
export type Steady = Kernel.Steady

/**
 * A long silence (a reasoning model thinking; Anthropic still pings), then tokens. `sim:think-90s` sets `silence`. The schema of its JSON form.
 *
 * @since 0.1.0
 * @category schemas
 */
export const Think = fromKind(Kernel.Think)

/**
 * @since 0.1.0
 * @category models
 */
export type Think = Kernel.Think

/**
 * `after` tokens, then silence with the connection open, forever (no keepalives either). The schema of its JSON form.
 *
 * @since 0.1.0
 * @category schemas
 */
export const StallAfter = fromKind(Kernel.StallAfter)

/**
 * @since 0.1.0
 * @category models
 */
export type StallAfter = Kernel.StallAfter

/**
 * The stream opens, then only keepalives every `interval`, forever: alive but no progress. The schema of its JSON form.
 *
 * @since 0.1.0
 * @category schemas
 */
export const PingOnly = fromKind(Kernel.PingOnly)

/**
 * @since 0.1.0
 * @category models
 */
export type PingOnly = Kernel.PingOnly

/**
 * `after` tokens, then the dialect's in-band error event (HTTP status 200). The schema of its JSON form.
 *
 * @since 0.1.0
 * @category schemas
 */
export const ErrorMid = fromKind(Kernel.ErrorMid)

/**
 * @since 0.1.0
 * @category models
 */
export type ErrorMid = Kernel.ErrorMid

/**
 * `after` tokens, then the socket is destroyed. The schema of its JSON form.
 *
 * @since 0.1.0
 * @category schemas
 */
export const ResetMid = fromKind(Kernel.ResetMid)

/**
 * @since 0.1.0
 * @category models
 */
export type ResetMid = Kernel.ResetMid

/**
 * `after` tokens, then the response ends cleanly without the done signal. The schema of its JSON form.
 *
 * @since 0.1.0
 * @category schemas
 */
export const EndWithoutDone = fromKind(Kernel.EndWithoutDone)

/**
 * @since 0.1.0
 * @category models
 */
export type EndWithoutDone = Kernel.EndWithoutDone

/**
 * Every event written in pieces of `bytes` bytes, `every` apart. The schema of its JSON form.
 *
 * @since 0.1.0
 * @category schemas
 */
export const SlowDrip = fromKind(Kernel.SlowDrip)

/**
 * @since 0.1.0
 * @category models
 */
export type SlowDrip = Kernel.SlowDrip

/**
 * One event of `size` bytes, to test a client's event size limit. The schema of its JSON form.
 *
 * @since 0.1.0
 * @category schemas
 */
export const HugeEvent = fromKind(Kernel.HugeEvent)

/**
 * @since 0.1.0
 * @category models
 */
export type HugeEvent = Kernel.HugeEvent

/**
 * An HTTP error answer (`status`, `retryAfter`, `delay`, `headers`, `body`). The schema of its JSON form.
 *
 * @since 0.1.0
 * @category schemas
 */
export const HttpError = fromKind(Kernel.HttpError)

/**
 * @since 0.1.0
 * @category models
 */
export type HttpError = Kernel.HttpError

/**
 * The headers come after `delay` (default never), then tokens. The schema of its JSON form.
 *
 * @since 0.1.0
 * @category schemas
 */
export const SlowHeaders = fromKind(Kernel.SlowHeaders)

/**
 * @since 0.1.0
 * @category models
 */
export type SlowHeaders = Kernel.SlowHeaders

/**
 * Exactly these steps, after the dialect's opening frames. The schema of its JSON form.
 *
 * @since 0.1.0
 * @category schemas
 */
export const Script = fromKind(Kernel.Script)

/**
 * @since 0.1.0
 * @category models
 */
export type Script = Kernel.Script

/**
 * What a scenario's constructor takes: the JSON form of its schema, without its `_tag`.
 *
 * @since 0.1.0
 * @category models
 */
export type Options<S extends Schema.Top> = Omit<Schema.Codec.Encoded<S>, "_tag">

/**
 * Exactly these steps (see `Step`), after the dialect's opening frames (none with
 * `opening: false`); no keepalives of its own unless `keepalive` is set, no jitter.
 *
 * @since 0.1.0
 * @category constructors
 */
export const script = (
  steps: ReadonlyArray<Step.Step>,
  options: {
    readonly text?: string
    readonly keepalive?: Duration.Input | Step.DurationInput | "none"
    readonly opening?: boolean
  } = {}
): Kernel.Scenario =>
  Kernel.script(steps, {
    ...(options.text === undefined ? {} : { text: options.text }),
    ...(options.opening === undefined ? {} : { opening: options.opening }),
    ...(options.keepalive === undefined ? {} : {
      keepalive: options.keepalive === "none" ? "none" : durationInput(options.keepalive)
    })
  })
