/**
 * What the simulator plays for one request, as data: a named, parameterised behaviour
 * (`sim:steady?chunks=200&gap=20ms`, `sim:think-90s`, `sim:429`) or a script of steps.
 *
 * A request picks its scenario with the `x-sim-scenario` header (a spec as below, or JSON: a
 * scenario object, or an array of steps) or with its model name `sim:<name>?param=value&...`.
 * Any other model name plays `steady` with its defaults.
 *
 * @since 0.1.0
 */
import * as Duration from "effect/Duration"
import * as Either from "effect/Either"
import * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"
import * as Step from "./Step.js"

const Count = Schema.Union(
  Schema.NonNegativeInt,
  Schema.compose(Schema.NumberFromString, Schema.NonNegativeInt)
).annotations({ identifier: "Count" })

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
 * An HTTP error before any streaming, with the provider's JSON error body (`sim:429`,
 * `sim:500`). A 429 or 503 carries `retry-after` (seconds, default 1).
 *
 * @since 0.1.0
 * @category schemas
 */
export const HttpError = Schema.TaggedStruct("HttpError", {
  status: Schema.optionalWith(Count, { default: () => 500 }),
  retryAfter: Schema.optional(Count)
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
 * @since 0.1.0
 * @category models
 */
export type Scenario = typeof Scenario.Type

/**
 * A scenario spec or header that does not parse.
 *
 * @since 0.1.0
 * @category errors
 */
export class ScenarioParseError extends Schema.TaggedError<ScenarioParseError>(
  "@streamguard/testing/ScenarioParseError"
)("ScenarioParseError", {
  spec: Schema.String,
  reason: Schema.String
}) {
  /** @since 0.1.0 */
  override get message(): string {
    return `bad simulator scenario ${JSON.stringify(this.spec)}: ${this.reason}`
  }
}

/**
 * The scenario names as they appear after `sim:`; `think-90s`, `stall-after-3` and `429` carry
 * their main parameter in the name.
 *
 * @since 0.1.0
 * @category models
 */
export const names: ReadonlyArray<string> = [
  "steady",
  "think[-<duration>]",
  "stall-after[-<n>]",
  "ping-only",
  "error-mid",
  "reset-mid",
  "end-without-done",
  "slow-drip",
  "huge-event",
  "<status>",
  "slow-headers[-<duration>]"
]

const byName: Record<string, Scenario["_tag"]> = {
  "steady": "Steady",
  "think": "Think",
  "stall-after": "StallAfter",
  "ping-only": "PingOnly",
  "error-mid": "ErrorMid",
  "reset-mid": "ResetMid",
  "end-without-done": "EndWithoutDone",
  "slow-drip": "SlowDrip",
  "huge-event": "HugeEvent",
  "http-error": "HttpError",
  "slow-headers": "SlowHeaders"
}

const withSuffix: ReadonlyArray<readonly [RegExp, Scenario["_tag"], string]> = [
  [/^think-(.+)$/, "Think", "silence"],
  [/^stall-after-(\d+)$/, "StallAfter", "after"],
  [/^slow-headers-(.+)$/, "SlowHeaders", "delay"],
  [/^(\d{3})$/, "HttpError", "status"]
]

const decodeScenario = Schema.decodeUnknownEither(Scenario, { onExcessProperty: "error" })

const decodeInput = (spec: string, input: unknown): Either.Either<Scenario, ScenarioParseError> =>
  Either.mapLeft(
    decodeScenario(input),
    (error) => new ScenarioParseError({ spec, reason: ParseResult.TreeFormatter.formatErrorSync(error) })
  )

const nameToInput = (spec: string, name: string): Either.Either<Record<string, unknown>, ScenarioParseError> => {
  const tag = byName[name]
  if (tag !== undefined) return Either.right({ _tag: tag })
  for (const [pattern, suffixTag, field] of withSuffix) {
    const match = pattern.exec(name)
    if (match !== null) return Either.right({ _tag: suffixTag, [field]: match[1] })
  }
  return Either.left(new ScenarioParseError({ spec, reason: `unknown scenario "${name}"; known: ${names.join(", ")}` }))
}

/**
 * Reads a spec: `sim:<name>?param=value&...` (the `sim:` prefix is optional), a JSON scenario
 * object (`{"_tag":"Steady","chunks":3}`), or a JSON array of steps (a `Script`). Unknown
 * parameters are errors, so a typo does not silently play the defaults.
 *
 * @since 0.1.0
 * @category parsing
 */
export const parse = (spec: string): Either.Either<Scenario, ScenarioParseError> => {
  const trimmed = spec.trim()
  if (trimmed.startsWith("{") || trimmed.startsWith("[")) {
    return Either.flatMap(
      Either.try({
        try: () => JSON.parse(trimmed) as unknown,
        catch: (cause) => new ScenarioParseError({ spec, reason: `bad JSON: ${String(cause)}` })
      }),
      (json) => decodeInput(spec, Array.isArray(json) ? { _tag: "Script", steps: json } : json)
    )
  }
  const body = trimmed.startsWith("sim:") ? trimmed.slice(4) : trimmed
  const question = body.indexOf("?")
  const name = question === -1 ? body : body.slice(0, question)
  const params = question === -1 ? {} : Object.fromEntries(new URLSearchParams(body.slice(question + 1)))
  return Either.flatMap(nameToInput(spec, name), (input) => decodeInput(spec, { ...input, ...params }))
}

/**
 * The scenario a model name asks for: `sim:...` parses, any other name plays `steady`.
 *
 * @since 0.1.0
 * @category parsing
 */
export const fromModel = (model: string): Either.Either<Scenario, ScenarioParseError> =>
  model.startsWith("sim:") ? parse(model) : Either.right(steady())

/**
 * The JSON form of a scenario, for the `x-sim-scenario` header: `parse(toHeader(s))` gives `s`.
 *
 * @since 0.1.0
 * @category formatting
 */
export const toHeader = (scenario: Scenario): string => JSON.stringify(Schema.encodeSync(Scenario)(scenario))

type Options<S extends Schema.Schema.Any> = Omit<Schema.Schema.Encoded<S>, "_tag">

// Constructors take the JSON form (`gap: "5ms"`, `chunks: 3`), like a header would, and decode
// it; bad input is a test-authoring bug, so they throw like `Duration.decode` does.
const construct =
  <S extends Schema.Schema<any, any>>(schema: S, tag: string) =>
  (options: Options<S> = {} as Options<S>): Schema.Schema.Type<S> =>
    Schema.decodeUnknownSync(schema, { onExcessProperty: "error" })({ ...options, _tag: tag })

/**
 * @since 0.1.0
 * @category constructors
 */
export const steady: (options?: Options<typeof Steady>) => Scenario = construct(Steady, "Steady")

/**
 * @since 0.1.0
 * @category constructors
 */
export const think: (options?: Options<typeof Think>) => Scenario = construct(Think, "Think")

/**
 * @since 0.1.0
 * @category constructors
 */
export const stallAfter: (options?: Options<typeof StallAfter>) => Scenario = construct(StallAfter, "StallAfter")

/**
 * @since 0.1.0
 * @category constructors
 */
export const pingOnly: (options?: Options<typeof PingOnly>) => Scenario = construct(PingOnly, "PingOnly")

/**
 * @since 0.1.0
 * @category constructors
 */
export const errorMid: (options?: Options<typeof ErrorMid>) => Scenario = construct(ErrorMid, "ErrorMid")

/**
 * @since 0.1.0
 * @category constructors
 */
export const resetMid: (options?: Options<typeof ResetMid>) => Scenario = construct(ResetMid, "ResetMid")

/**
 * @since 0.1.0
 * @category constructors
 */
export const endWithoutDone: (options?: Options<typeof EndWithoutDone>) => Scenario = construct(
  EndWithoutDone,
  "EndWithoutDone"
)

/**
 * @since 0.1.0
 * @category constructors
 */
export const slowDrip: (options?: Options<typeof SlowDrip>) => Scenario = construct(SlowDrip, "SlowDrip")

/**
 * @since 0.1.0
 * @category constructors
 */
export const hugeEvent: (options?: Options<typeof HugeEvent>) => Scenario = construct(HugeEvent, "HugeEvent")

/**
 * @since 0.1.0
 * @category constructors
 */
export const httpError: (options?: Options<typeof HttpError>) => Scenario = construct(HttpError, "HttpError")

/**
 * @since 0.1.0
 * @category constructors
 */
export const slowHeaders: (options?: Options<typeof SlowHeaders>) => Scenario = construct(
  SlowHeaders,
  "SlowHeaders"
)

/**
 * A script of steps (see `Step`).
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

/**
 * The scenario's name as a spec writes it (`steady`, `stall-after`, `script`), for records
 * and logs.
 *
 * @since 0.1.0
 * @category getters
 */
export const name = (scenario: Scenario): string => {
  if (scenario._tag === "Script") return "script"
  if (scenario._tag === "HttpError") return String(scenario.status)
  return Object.entries(byName).find(([, tag]) => tag === scenario._tag)?.[0] ?? scenario._tag
}
