/**
 * What the simulator plays for one request, as data: a named, parameterised behaviour (`steady`,
 * `think`, `stallAfter`, an HTTP error, ...) or a script of steps. The one vocabulary of the
 * simulator, the in-process `Simulation` and the in-memory upstream of `@streamguard/testing`.
 *
 * Every constructor takes the scenario's JSON form (`gap: "5ms"`, `chunks: 3`), the same fields a
 * spec names in a model (`sim:steady?chunks=3&gap=5ms`, see `ScenarioSpec`), and fills the same
 * defaults.
 *
 * @since 0.1.0
 */
import * as Duration from "effect/Duration"
import * as Schema from "effect/Schema"
import * as Step from "./Step.js"

// A number, or its text in a spec (`chunks=3`); a mistake is said once, not per alternative.
const Count = Schema.Union(
  Schema.NonNegativeInt,
  Schema.compose(Schema.NumberFromString, Schema.NonNegativeInt)
).annotations({
  identifier: "Count",
  message: (issue) => ({
    message: `Expected a whole number, 0 or more, actual ${JSON.stringify(issue.actual)}`,
    override: true
  })
})

const Never = Schema.Literal("never")
const None = Schema.Literal("none")

/**
 * The token stream every content-producing scenario shares. Defaults are realistic: 24 tokens,
 * gaps of 50 ms +/- 30 ms (20-80 ms), jitter drawn from a seeded generator so a run repeats.
 * Without `jitter`, the jitter is 60% of `gap` (so `gap=5ms` stays a few milliseconds).
 * `keepalive` sets the interval of keepalives sent during long waits (`none` to disable); by
 * default Anthropic pings every 15 s, as the real API does, and the other dialects stay silent.
 */
const tokenFields = {
  chunks: Schema.optionalWith(Count, { default: () => 24 }),
  gap: Schema.optionalWith(Step.DurationInput, { default: () => Duration.millis(50) }),
  jitter: Schema.optional(Step.DurationInput),
  seed: Schema.optionalWith(Count, { default: () => 1 }),
  text: Schema.optional(Schema.String),
  keepalive: Schema.optional(Schema.Union(None, Step.DurationInput))
}

/**
 * Tokens at a steady pace, then the dialect's done.
 *
 * @since 0.1.0
 * @category schemas
 */
export const Steady = Schema.TaggedStruct("Steady", tokenFields)

/**
 * A long silence (a reasoning model thinking; Anthropic still pings), then tokens.
 * `sim:think-90s` sets `silence`.
 *
 * @since 0.1.0
 * @category schemas
 */
export const Think = Schema.TaggedStruct("Think", {
  ...tokenFields,
  silence: Schema.optionalWith(Step.DurationInput, { default: () => Duration.seconds(90) })
})

/**
 * `after` tokens, then silence with the connection open, forever (no keepalives either).
 *
 * @since 0.1.0
 * @category schemas
 */
export const StallAfter = Schema.TaggedStruct("StallAfter", {
  ...tokenFields,
  after: Schema.optionalWith(Count, { default: () => 3 })
})

/**
 * The stream opens, then only keepalives every `interval`, forever: alive but no progress.
 *
 * @since 0.1.0
 * @category schemas
 */
export const PingOnly = Schema.TaggedStruct("PingOnly", {
  interval: Schema.optionalWith(Step.DurationInput, { default: () => Duration.seconds(15) })
})

/**
 * `after` tokens, then the dialect's in-band error event (HTTP status 200).
 *
 * @since 0.1.0
 * @category schemas
 */
export const ErrorMid = Schema.TaggedStruct("ErrorMid", {
  ...tokenFields,
  after: Schema.optionalWith(Count, { default: () => 3 }),
  errorType: Schema.optional(Schema.String),
  message: Schema.optional(Schema.String)
})

/**
 * `after` tokens, then the socket is destroyed.
 *
 * @since 0.1.0
 * @category schemas
 */
export const ResetMid = Schema.TaggedStruct("ResetMid", {
  ...tokenFields,
  after: Schema.optionalWith(Count, { default: () => 3 })
})

/**
 * `after` tokens, then the response ends cleanly without the done signal.
 *
 * @since 0.1.0
 * @category schemas
 */
export const EndWithoutDone = Schema.TaggedStruct("EndWithoutDone", {
  ...tokenFields,
  after: Schema.optionalWith(Count, { default: () => 3 })
})

/**
 * Every event is written in pieces of `bytes` bytes, `every` apart: bytes keep arriving, but
 * whole events (and so content) come slowly. It tells an idle timer placed before framing (reset
 * by any byte) from one placed after it (reset by events).
 *
 * @since 0.1.0
 * @category schemas
 */
export const SlowDrip = Schema.TaggedStruct("SlowDrip", {
  ...tokenFields,
  bytes: Schema.optionalWith(Count, { default: () => 1 }),
  every: Schema.optionalWith(Step.DurationInput, { default: () => Duration.millis(100) })
})

/**
 * One content event whose text is `size` bytes (default 2 MiB, twice the decoders' default
 * limit), then done.
 *
 * @since 0.1.0
 * @category schemas
 */
export const HugeEvent = Schema.TaggedStruct("HugeEvent", {
  size: Schema.optionalWith(Count, { default: () => 2 * 1024 * 1024 })
})

/**
 * An HTTP error instead of a stream, with the provider's JSON error body (`sim:429`, `sim:500`),
 * or `body` as given. A 429 or 503 carries `retry-after` (seconds, default 1). The answer comes
 * after `delay` (default at once); `headers` are added to it.
 *
 * @since 0.1.0
 * @category schemas
 */
export const HttpError = Schema.TaggedStruct("HttpError", {
  status: Schema.optionalWith(Count, { default: () => 500 }),
  retryAfter: Schema.optional(Count),
  delay: Schema.optional(Step.DurationInput),
  headers: Schema.optional(Schema.Record({ key: Schema.String, value: Schema.String })),
  body: Schema.optional(Schema.String)
})

/**
 * The request is read in full, then the response headers come after `delay`, or never
 * (the default). Then tokens as in `steady`.
 *
 * @since 0.1.0
 * @category schemas
 */
export const SlowHeaders = Schema.TaggedStruct("SlowHeaders", {
  ...tokenFields,
  delay: Schema.optionalWith(Schema.Union(Never, Step.DurationInput), { default: () => "never" as const })
})

/**
 * Exactly these steps, nothing else (no automatic keepalives unless `keepalive` is set). If
 * the steps run out without a terminal step, the response ends as with `End`.
 *
 * @since 0.1.0
 * @category schemas
 */
export const Script = Schema.TaggedStruct("Script", {
  steps: Schema.Array(Step.Step),
  text: Schema.optional(Schema.String),
  keepalive: Schema.optional(Schema.Union(None, Step.DurationInput)),
  /** `false`: no opening frames (`message_start`, the role chunk): the steps write everything (replays). */
  opening: Schema.optional(Schema.Boolean)
})

/**
 * Every scenario, as its JSON form decodes (durations from text or milliseconds, defaults
 * filled in).
 *
 * @since 0.1.0
 * @category schemas
 */
export const Scenario = Schema.Union(
  Steady,
  Think,
  StallAfter,
  PingOnly,
  ErrorMid,
  ResetMid,
  EndWithoutDone,
  SlowDrip,
  HugeEvent,
  HttpError,
  SlowHeaders,
  Script
)

/**
 * One scenario, decoded.
 *
 * @since 0.1.0
 * @category models
 */
export type Scenario = typeof Scenario.Type

/**
 * What a constructor takes: the scenario's JSON form without its tag (durations as `"90s"`,
 * `"20ms"`, `"2 minutes"` or milliseconds; counts as numbers).
 *
 * @since 0.1.0
 * @category models
 */
export type Options<S extends Schema.Schema.Any> = Omit<Schema.Schema.Encoded<S>, "_tag">

// Constructors take the JSON form, like a header would, and decode it; bad input is a
// test-authoring bug, so they throw like `Duration.decode` does.
const construct =
  <S extends Schema.Schema<any, any>>(schema: S, tag: string) =>
  (options: Options<S> = {} as Options<S>): Schema.Schema.Type<S> =>
    Schema.decodeUnknownSync(schema, { onExcessProperty: "error" })({ ...options, _tag: tag })

/**
 * `chunks` tokens, each after `gap` (+/- `jitter`), then done right after the last. With
 * `jitter: 0` the pace is exact: `steady({ chunks: 3, gap: "1 second", jitter: 0 })` sends chunks
 * at 1, 2 and 3 s and ends at 3 s.
 *
 * @since 0.1.0
 * @category constructors
 */
export const steady: (options?: Options<typeof Steady>) => Scenario = construct(Steady, "Steady")

/**
 * Silence for `silence` (a reasoning model, a tool call: the stream is open and says nothing;
 * Anthropic still pings), then tokens as in `steady`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const think: (options?: Options<typeof Think>) => Scenario = construct(Think, "Think")

/**
 * `after` tokens, then silence with the connection open, forever: the zombie a `chunk` limit
 * exists for. With `gap: 0` the tokens come at once.
 *
 * @since 0.1.0
 * @category constructors
 */
export const stallAfter: (options?: Options<typeof StallAfter>) => Scenario = construct(StallAfter, "StallAfter")

/**
 * Only keepalives, one every `interval` (the first after `interval`), forever: alive but no
 * progress. In NDJSON dialects (Ollama), which have no keepalive, this is plain silence.
 *
 * @since 0.1.0
 * @category constructors
 */
export const pingOnly: (options?: Options<typeof PingOnly>) => Scenario = construct(PingOnly, "PingOnly")

/**
 * `after` tokens, then the dialect's in-band error event (`errorType`, `message`).
 *
 * @since 0.1.0
 * @category constructors
 */
export const errorMid: (options?: Options<typeof ErrorMid>) => Scenario = construct(ErrorMid, "ErrorMid")

/**
 * `after` tokens, then a TCP reset.
 *
 * @since 0.1.0
 * @category constructors
 */
export const resetMid: (options?: Options<typeof ResetMid>) => Scenario = construct(ResetMid, "ResetMid")

/**
 * `after` tokens, then a clean end without the done signal (a truncated answer).
 *
 * @since 0.1.0
 * @category constructors
 */
export const endWithoutDone: (options?: Options<typeof EndWithoutDone>) => Scenario = construct(
  EndWithoutDone,
  "EndWithoutDone"
)

/**
 * Tokens as in `steady`, every event written in pieces of `bytes` bytes, `every` apart.
 *
 * @since 0.1.0
 * @category constructors
 */
export const slowDrip: (options?: Options<typeof SlowDrip>) => Scenario = construct(SlowDrip, "SlowDrip")

/**
 * One content event of `size` bytes of text, then done.
 *
 * @since 0.1.0
 * @category constructors
 */
export const hugeEvent: (options?: Options<typeof HugeEvent>) => Scenario = construct(HugeEvent, "HugeEvent")

/**
 * An HTTP error answer instead of a stream:
 * `httpError({ status: 503, retryAfter: 2 })`, `httpError({ status: 400, body: "{}", delay: "2s" })`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const httpError: (options?: Options<typeof HttpError>) => Scenario = construct(HttpError, "HttpError")

/**
 * The request is read, then the response headers come after `delay` (default never), then
 * tokens as in `steady`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const slowHeaders: (options?: Options<typeof SlowHeaders>) => Scenario = construct(
  SlowHeaders,
  "SlowHeaders"
)

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
    readonly keepalive?: Duration.DurationInput | "none"
    readonly opening?: boolean
  } = {}
): Scenario =>
  Script.make({
    steps,
    ...(options.text === undefined ? {} : { text: options.text }),
    ...(options.opening === undefined ? {} : { opening: options.opening }),
    ...(options.keepalive === undefined ?
      {} :
      { keepalive: options.keepalive === "none" ? "none" : Duration.decode(options.keepalive) })
  })
