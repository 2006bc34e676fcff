/**
 * One step of a scripted upstream: what the simulator does next on the wire, once the response
 * has begun. Named scenarios compile to steps, and a script (`Scenario.script`) is a list of them
 * written by hand. How a response starts (its status, when its headers go out) is the scenario's
 * business: an HTTP error answer is `Scenario.httpError`, not a step.
 *
 * @since 0.1.0
 */
import * as TimeoutPolicy from "@streamguard/core-effect3/TimeoutPolicy"
import * as Duration from "effect/Duration"
import * as Option from "effect/Option"
import * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"

/**
 * A duration as JSON or a model name writes it: `"90s"`, `"20ms"`, `"2m"`, `"2 minutes"`, or a
 * number of milliseconds. Encodes to milliseconds.
 *
 * @since 0.1.0
 * @category schemas
 */
export const DurationInput: Schema.Schema<Duration.Duration, string | number> = Schema.transformOrFail(
  Schema.Union(Schema.String, Schema.Number),
  Schema.DurationFromSelf,
  {
    strict: true,
    decode: (input, _, ast) =>
      Option.match(TimeoutPolicy.parseDuration(input), {
        onNone: () =>
          ParseResult.fail(
            new ParseResult.Type(
              ast,
              input,
              `Expected a duration such as "50ms", "2s" or a number of milliseconds, actual ${JSON.stringify(input)}`
            )
          ),
        onSome: ParseResult.succeed
      }),
    encode: (value) => ParseResult.succeed(Duration.toMillis(value))
  }
).annotations({ identifier: "DurationInput" })

/**
 * Send one content chunk. Without `text`, the next token of the scenario's text. With `payload`,
 * exactly that value as the dialect's content event (`text` is then ignored): a tool-call delta,
 * a thinking delta, any shape the renderer does not write.
 *
 * @since 0.1.0
 * @category schemas
 */
export const Chunk = Schema.TaggedStruct("Chunk", {
  text: Schema.optional(Schema.String),
  payload: Schema.optional(Schema.Unknown)
})

/**
 * Send one keepalive in the dialect's form (an SSE comment, Anthropic `ping`, a Responses
 * `keepalive` event; nothing in NDJSON, which has none).
 *
 * @since 0.1.0
 * @category schemas
 */
export const Keepalive = Schema.TaggedStruct("Keepalive", {})

/**
 * Write nothing for a while (Effect `Clock` time, so `TestClock` can skip it).
 *
 * @since 0.1.0
 * @category schemas
 */
export const Wait = Schema.TaggedStruct("Wait", { duration: DurationInput })

/**
 * Finish the answer the way the dialect does (finish chunk, usage, `[DONE]`, `message_stop`,
 * `done: true`, the JSON-RPC result) and end the response.
 *
 * @since 0.1.0
 * @category schemas
 */
export const Done = Schema.TaggedStruct("Done", {})

/**
 * Send the dialect's in-band error event and end the response (HTTP status stays 200). With
 * `payload`, exactly that value as the error event (`errorType` and `message` are then ignored).
 *
 * @since 0.1.0
 * @category schemas
 */
export const ErrorSignal = Schema.TaggedStruct("Error", {
  errorType: Schema.optional(Schema.String),
  message: Schema.optional(Schema.String),
  payload: Schema.optional(Schema.Unknown)
})

/**
 * Write exactly these bytes (UTF-8 text), framing included, whatever the dialect: how a recorded
 * transcript is replayed.
 *
 * @since 0.1.0
 * @category schemas
 */
export const Raw = Schema.TaggedStruct("Raw", { text: Schema.String })

/**
 * Destroy the socket mid-response (a TCP reset as the client sees it). In-process, the byte
 * stream fails with `SimulatedReset`.
 *
 * @since 0.1.0
 * @category schemas
 */
export const Reset = Schema.TaggedStruct("Reset", {})

/**
 * Keep the connection open and write nothing, until the client gives up.
 *
 * @since 0.1.0
 * @category schemas
 */
export const StallForever = Schema.TaggedStruct("StallForever", {})

/**
 * End the response cleanly without the dialect's done signal (a truncated answer).
 *
 * @since 0.1.0
 * @category schemas
 */
export const End = Schema.TaggedStruct("End", {})

/**
 * @since 0.1.0
 * @category schemas
 */
export const Step = Schema.Union(Chunk, Keepalive, Wait, Done, ErrorSignal, Reset, StallForever, End, Raw)

/**
 * @since 0.1.0
 * @category models
 */
export type Step = typeof Step.Type

/**
 * @since 0.1.0
 * @category constructors
 */
export const chunk = (text?: string): Step => text === undefined ? Chunk.make({}) : Chunk.make({ text })

/**
 * A content chunk carrying exactly `payload` (see `Chunk`).
 *
 * @since 0.1.0
 * @category constructors
 */
export const chunkPayload = (payload: unknown): Step => Chunk.make({ payload })

/**
 * @since 0.1.0
 * @category constructors
 */
export const keepalive: Step = Keepalive.make({})

/**
 * @since 0.1.0
 * @category constructors
 */
export const wait = (input: Duration.DurationInput): Step => Wait.make({ duration: Duration.decode(input) })

/**
 * @since 0.1.0
 * @category constructors
 */
export const done: Step = Done.make({})

/**
 * @since 0.1.0
 * @category constructors
 */
export const error = (options: { readonly errorType?: string; readonly message?: string } = {}): Step =>
  ErrorSignal.make(options)

/**
 * The in-band error event carrying exactly `payload` (see `ErrorSignal`).
 *
 * @since 0.1.0
 * @category constructors
 */
export const errorSignal = (payload: unknown): Step => ErrorSignal.make({ payload })

/**
 * Exactly these bytes on the wire (see `Raw`).
 *
 * @since 0.1.0
 * @category constructors
 */
export const raw = (text: string): Step => Raw.make({ text })

/**
 * @since 0.1.0
 * @category constructors
 */
export const reset: Step = Reset.make({})

/**
 * @since 0.1.0
 * @category constructors
 */
export const stallForever: Step = StallForever.make({})

/**
 * @since 0.1.0
 * @category constructors
 */
export const end: Step = End.make({})

/**
 * Whether the response ends with this step (nothing after it is played).
 *
 * @since 0.1.0
 * @category predicates
 */
export const isTerminal = (step: Step): boolean =>
  step._tag === "Done" || step._tag === "Error" || step._tag === "Reset" || step._tag === "StallForever" ||
  step._tag === "End"
