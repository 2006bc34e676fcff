/**
 * One step of a scripted upstream: what the simulator does next on the wire, once the response
 * has begun. Named scenarios compile to steps, and a script (`Scenario.script`) is a list of them
 * written by hand. How a response starts (its status, when its headers go out) is the scenario's
 * business: an HTTP error answer is `Scenario.httpError`, not a step.
 *
 * Steps are plain data, as their JSON form (`{"_tag":"Wait","duration":5}`) reads: durations in
 * milliseconds.
 *
 * @since 0.1.0
 */
import { duration, millis } from "./internal/fields.js"
import * as Shape from "./internal/shape.js"

/**
 * A duration as JSON, a model name or code writes it: `"90s"`, `"20ms"`, `"2m"`, `"2 minutes"`,
 * or a number of milliseconds.
 *
 * @since 0.1.0
 * @category models
 */
export type DurationInput = string | number

/**
 * Send one content chunk. Without `text`, the next token of the scenario's text. With `payload`,
 * exactly that value as the dialect's content event (`text` is then ignored): a tool-call delta,
 * a thinking delta, any shape the renderer does not write.
 *
 * @since 0.1.0
 * @category models
 */
export interface Chunk {
  readonly _tag: "Chunk"
  readonly text?: string | undefined
  readonly payload?: unknown
}

/**
 * Send one keepalive in the dialect's form (an SSE comment, Anthropic `ping`, a Responses
 * `keepalive` event; nothing in NDJSON, which has none).
 *
 * @since 0.1.0
 * @category models
 */
export interface Keepalive {
  readonly _tag: "Keepalive"
}

/**
 * Write nothing for `duration` milliseconds (the clock of whoever plays it: a `TestClock` skips
 * it).
 *
 * @since 0.1.0
 * @category models
 */
export interface Wait {
  readonly _tag: "Wait"
  readonly duration: number
}

/**
 * Finish the answer the way the dialect does (finish chunk, usage, `[DONE]`, `message_stop`,
 * `done: true`, the JSON-RPC result) and end the response.
 *
 * @since 0.1.0
 * @category models
 */
export interface Done {
  readonly _tag: "Done"
}

/**
 * Send the dialect's in-band error event and end the response (HTTP status stays 200). With
 * `payload`, exactly that value as the error event (`errorType` and `message` are then ignored).
 *
 * @since 0.1.0
 * @category models
 */
export interface ErrorSignal {
  readonly _tag: "Error"
  readonly errorType?: string | undefined
  readonly message?: string | undefined
  readonly payload?: unknown
}

/**
 * Write exactly these bytes (UTF-8 text), framing included, whatever the dialect: how a recorded
 * transcript is replayed.
 *
 * @since 0.1.0
 * @category models
 */
export interface Raw {
  readonly _tag: "Raw"
  readonly text: string
}

/**
 * Destroy the socket mid-response (a TCP reset as the client sees it). In-process, the byte
 * stream fails with `SimulatedReset`.
 *
 * @since 0.1.0
 * @category models
 */
export interface Reset {
  readonly _tag: "Reset"
}

/**
 * Keep the connection open and write nothing, until the client gives up.
 *
 * @since 0.1.0
 * @category models
 */
export interface StallForever {
  readonly _tag: "StallForever"
}

/**
 * End the response cleanly without the dialect's done signal (a truncated answer).
 *
 * @since 0.1.0
 * @category models
 */
export interface End {
  readonly _tag: "End"
}

/**
 * @since 0.1.0
 * @category models
 */
export type Step = Chunk | Keepalive | Wait | Done | ErrorSignal | Reset | StallForever | End | Raw

/**
 * The shapes steps are read with: each step's fields, as its JSON form has them.
 *
 * @since 0.1.0
 * @category shapes
 */
export const shapes = {
  Chunk: Shape.tagged<Chunk>()("Chunk", { text: Shape.optional(Shape.string), payload: Shape.optional(Shape.unknown) }),
  Keepalive: Shape.tagged<Keepalive>()("Keepalive", {}),
  Wait: Shape.tagged<Wait>()("Wait", { duration }),
  Done: Shape.tagged<Done>()("Done", {}),
  Error: Shape.tagged<ErrorSignal>()("Error", {
    errorType: Shape.optional(Shape.string),
    message: Shape.optional(Shape.string),
    payload: Shape.optional(Shape.unknown)
  }),
  Reset: Shape.tagged<Reset>()("Reset", {}),
  StallForever: Shape.tagged<StallForever>()("StallForever", {}),
  End: Shape.tagged<End>()("End", {}),
  Raw: Shape.tagged<Raw>()("Raw", { text: Shape.string })
}

/**
 * The shape of any step, told apart by `_tag`: what a script's `steps` are read with.
 *
 * @since 0.1.0
 * @category shapes
 */
export const shape: Shape.Field<Step> = Shape.taggedUnion(Object.values(shapes))

/**
 * Reads a step's JSON form: the step, or every mistake, one line each. Each Effect line's `Step`
 * schema decodes with it.
 *
 * @since 0.1.0
 * @category parsing
 */
export const read = (input: unknown): Shape.Decoded<Step> => Shape.decode(shape, input)

/**
 * Reads a duration as a step or a scenario takes it (`"90s"`, `"20ms"`, `"2 minutes"`, a number
 * of milliseconds): its milliseconds, or why it is none.
 *
 * @since 0.1.0
 * @category parsing
 */
export const readDuration = (input: unknown): Shape.Decoded<number> => Shape.decode(duration, input)

/**
 * @since 0.1.0
 * @category constructors
 */
export const chunk = (text?: string): Step => text === undefined ? { _tag: "Chunk" } : { _tag: "Chunk", text }

/**
 * A content chunk carrying exactly `payload` (see `Chunk`).
 *
 * @since 0.1.0
 * @category constructors
 */
export const chunkPayload = (payload: unknown): Step => ({ _tag: "Chunk", payload })

/**
 * @since 0.1.0
 * @category constructors
 */
export const keepalive: Step = { _tag: "Keepalive" }

/**
 * Nothing for `duration` (`"3 minutes"`, `"90s"`, or milliseconds). A value that is no duration
 * throws a `TypeError` saying so.
 *
 * @since 0.1.0
 * @category constructors
 */
export const wait = (input: DurationInput): Step => ({ _tag: "Wait", duration: millis(input) })

/**
 * @since 0.1.0
 * @category constructors
 */
export const done: Step = { _tag: "Done" }

/**
 * @since 0.1.0
 * @category constructors
 */
export const error = (options: { readonly errorType?: string; readonly message?: string } = {}): Step => ({
  _tag: "Error",
  ...(options.errorType === undefined ? {} : { errorType: options.errorType }),
  ...(options.message === undefined ? {} : { message: options.message })
})

/**
 * The in-band error event carrying exactly `payload` (see `ErrorSignal`).
 *
 * @since 0.1.0
 * @category constructors
 */
export const errorSignal = (payload: unknown): Step => ({ _tag: "Error", payload })

/**
 * Exactly these bytes on the wire (see `Raw`).
 *
 * @since 0.1.0
 * @category constructors
 */
export const raw = (text: string): Step => ({ _tag: "Raw", text })

/**
 * @since 0.1.0
 * @category constructors
 */
export const reset: Step = { _tag: "Reset" }

/**
 * @since 0.1.0
 * @category constructors
 */
export const stallForever: Step = { _tag: "StallForever" }

/**
 * @since 0.1.0
 * @category constructors
 */
export const end: Step = { _tag: "End" }

/**
 * Whether the response ends with this step (nothing after it is played).
 *
 * @since 0.1.0
 * @category predicates
 */
export const isTerminal = (step: Step): boolean =>
  step._tag === "Done" || step._tag === "Error" || step._tag === "Reset" || step._tag === "StallForever" ||
  step._tag === "End"
