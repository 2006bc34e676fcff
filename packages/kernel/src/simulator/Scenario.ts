/**
 * What the simulator plays for one request, as data: a named, parameterised behaviour (`steady`,
 * `think`, `stallAfter`, an HTTP error, ...) or a script of steps. The one vocabulary of the
 * simulator's server, of the in-process `Simulation` and of the in-memory upstream of each Effect
 * line's testing package.
 *
 * Every constructor takes the scenario's JSON form (`gap: "5ms"`, `chunks: 3`), the same fields a
 * spec names in a model (`sim:steady?chunks=3&gap=5ms`, see `ScenarioSpec`), and fills the same
 * defaults. A scenario holds its durations in milliseconds.
 *
 * @since 0.1.0
 */
import { duration, millis, orThrow } from "./internal/fields.js"
import * as Shape from "./internal/shape.js"
import * as Step from "./Step.js"

/**
 * The token stream every content-producing scenario shares. Defaults are realistic: 24 tokens,
 * gaps of 50 ms +/- 30 ms (20-80 ms), jitter drawn from a seeded generator so a run repeats.
 * Without `jitter`, the jitter is 60% of `gap` (so `gap=5ms` stays a few milliseconds).
 * `keepalive` sets the interval of keepalives sent during long waits (`none` to disable); by
 * default Anthropic pings every 15 s, as the real API does, and the other dialects stay silent.
 *
 * @since 0.1.0
 * @category models
 */
export interface Tokens {
  /** How many tokens. Default 24. */
  readonly chunks: number
  /** Milliseconds before each token. Default 50. */
  readonly gap: number
  /** Milliseconds either side of `gap`. Default 60% of `gap`. */
  readonly jitter?: number | undefined
  /** The jitter generator's seed. Default 1. */
  readonly seed: number
  /** The answer, cut into tokens. Default a built-in paragraph. */
  readonly text?: string | undefined
  /** Milliseconds between keepalives during long waits, or `none`. */
  readonly keepalive?: number | "none" | undefined
}

/**
 * Tokens at a steady pace, then the dialect's done.
 *
 * @since 0.1.0
 * @category models
 */
export interface Steady extends Tokens {
  readonly _tag: "Steady"
}

/**
 * A long silence (a reasoning model thinking; Anthropic still pings), then tokens.
 * `sim:think-90s` sets `silence`.
 *
 * @since 0.1.0
 * @category models
 */
export interface Think extends Tokens {
  readonly _tag: "Think"
  /** Milliseconds of silence first. Default 90 000. */
  readonly silence: number
}

/**
 * `after` tokens, then silence with the connection open, forever (no keepalives either).
 *
 * @since 0.1.0
 * @category models
 */
export interface StallAfter extends Tokens {
  readonly _tag: "StallAfter"
  /** Default 3. */
  readonly after: number
}

/**
 * The stream opens, then only keepalives every `interval`, forever: alive but no progress.
 *
 * @since 0.1.0
 * @category models
 */
export interface PingOnly {
  readonly _tag: "PingOnly"
  /** Milliseconds. Default 15 000. */
  readonly interval: number
}

/**
 * `after` tokens, then the dialect's in-band error event (HTTP status 200).
 *
 * @since 0.1.0
 * @category models
 */
export interface ErrorMid extends Tokens {
  readonly _tag: "ErrorMid"
  /** Default 3. */
  readonly after: number
  readonly errorType?: string | undefined
  readonly message?: string | undefined
}

/**
 * `after` tokens, then the socket is destroyed.
 *
 * @since 0.1.0
 * @category models
 */
export interface ResetMid extends Tokens {
  readonly _tag: "ResetMid"
  /** Default 3. */
  readonly after: number
}

/**
 * `after` tokens, then the response ends cleanly without the done signal.
 *
 * @since 0.1.0
 * @category models
 */
export interface EndWithoutDone extends Tokens {
  readonly _tag: "EndWithoutDone"
  /** Default 3. */
  readonly after: number
}

/**
 * Every event is written in pieces of `bytes` bytes, `every` apart: bytes keep arriving, but
 * whole events (and so content) come slowly. It tells an idle timer placed before framing (reset
 * by any byte) from one placed after it (reset by events).
 *
 * @since 0.1.0
 * @category models
 */
export interface SlowDrip extends Tokens {
  readonly _tag: "SlowDrip"
  /** Default 1. */
  readonly bytes: number
  /** Milliseconds. Default 100. */
  readonly every: number
}

/**
 * One content event whose text is `size` bytes (default 2 MiB, twice the decoders' default
 * limit), then done.
 *
 * @since 0.1.0
 * @category models
 */
export interface HugeEvent {
  readonly _tag: "HugeEvent"
  readonly size: number
}

/**
 * An HTTP error instead of a stream, with the provider's JSON error body (`sim:429`, `sim:500`),
 * or `body` as given. A 429 or 503 carries `retry-after` (seconds, default 1). The answer comes
 * after `delay` (default at once); `headers` are added to it.
 *
 * @since 0.1.0
 * @category models
 */
export interface HttpError {
  readonly _tag: "HttpError"
  /** Default 500. */
  readonly status: number
  readonly retryAfter?: number | undefined
  /** Milliseconds. */
  readonly delay?: number | undefined
  readonly headers?: Readonly<Record<string, string>> | undefined
  readonly body?: string | undefined
}

/**
 * The request is read in full, then the response headers come after `delay`, or never
 * (the default). Then tokens as in `steady`.
 *
 * @since 0.1.0
 * @category models
 */
export interface SlowHeaders extends Tokens {
  readonly _tag: "SlowHeaders"
  /** Milliseconds, or `never`. */
  readonly delay: number | "never"
}

/**
 * Exactly these steps, nothing else (no automatic keepalives unless `keepalive` is set). If
 * the steps run out without a terminal step, the response ends as with `End`.
 *
 * @since 0.1.0
 * @category models
 */
export interface Script {
  readonly _tag: "Script"
  readonly steps: ReadonlyArray<Step.Step>
  readonly text?: string | undefined
  readonly keepalive?: number | "none" | undefined
  /** `false`: no opening frames (`message_start`, the role chunk): the steps write everything (replays). */
  readonly opening?: boolean | undefined
}

/**
 * One scenario, its defaults filled in and its durations in milliseconds.
 *
 * @since 0.1.0
 * @category models
 */
export type Scenario =
  | Steady
  | Think
  | StallAfter
  | PingOnly
  | ErrorMid
  | ResetMid
  | EndWithoutDone
  | SlowDrip
  | HugeEvent
  | HttpError
  | SlowHeaders
  | Script

const none = Shape.literal("none")

const tokenFields = {
  chunks: Shape.withDefault(Shape.count, () => 24),
  gap: Shape.withDefault(duration, () => 50),
  jitter: Shape.optional(duration),
  seed: Shape.withDefault(Shape.count, () => 1),
  text: Shape.optional(Shape.string),
  keepalive: Shape.optional(Shape.union(none, duration))
}

const after = Shape.withDefault(Shape.count, () => 3)

/**
 * @since 0.1.0
 * @category shapes
 */
export const Steady = Shape.tagged<Steady>()("Steady", tokenFields)

/**
 * @since 0.1.0
 * @category shapes
 */
export const Think = Shape.tagged<Think>()("Think", {
  ...tokenFields,
  silence: Shape.withDefault(duration, () => 90_000)
})

/**
 * @since 0.1.0
 * @category shapes
 */
export const StallAfter = Shape.tagged<StallAfter>()("StallAfter", { ...tokenFields, after })

/**
 * @since 0.1.0
 * @category shapes
 */
export const PingOnly = Shape.tagged<PingOnly>()("PingOnly", {
  interval: Shape.withDefault(duration, () => 15_000)
})

/**
 * @since 0.1.0
 * @category shapes
 */
export const ErrorMid = Shape.tagged<ErrorMid>()("ErrorMid", {
  ...tokenFields,
  after,
  errorType: Shape.optional(Shape.string),
  message: Shape.optional(Shape.string)
})

/**
 * @since 0.1.0
 * @category shapes
 */
export const ResetMid = Shape.tagged<ResetMid>()("ResetMid", { ...tokenFields, after })

/**
 * @since 0.1.0
 * @category shapes
 */
export const EndWithoutDone = Shape.tagged<EndWithoutDone>()("EndWithoutDone", { ...tokenFields, after })

/**
 * @since 0.1.0
 * @category shapes
 */
export const SlowDrip = Shape.tagged<SlowDrip>()("SlowDrip", {
  ...tokenFields,
  bytes: Shape.withDefault(Shape.count, () => 1),
  every: Shape.withDefault(duration, () => 100)
})

/**
 * @since 0.1.0
 * @category shapes
 */
export const HugeEvent = Shape.tagged<HugeEvent>()("HugeEvent", {
  size: Shape.withDefault(Shape.count, () => 2 * 1024 * 1024)
})

/**
 * @since 0.1.0
 * @category shapes
 */
export const HttpError = Shape.tagged<HttpError>()("HttpError", {
  status: Shape.withDefault(Shape.count, () => 500),
  retryAfter: Shape.optional(Shape.count),
  delay: Shape.optional(duration),
  headers: Shape.optional(Shape.record(Shape.string)),
  body: Shape.optional(Shape.string)
})

/**
 * @since 0.1.0
 * @category shapes
 */
export const SlowHeaders = Shape.tagged<SlowHeaders>()("SlowHeaders", {
  ...tokenFields,
  delay: Shape.withDefault(Shape.union(Shape.literal("never"), duration), () => "never" as const)
})

/**
 * @since 0.1.0
 * @category shapes
 */
export const Script = Shape.tagged<Script>()("Script", {
  steps: Shape.array(Step.shape),
  text: Shape.optional(Shape.string),
  keepalive: Shape.optional(Shape.union(none, duration)),
  opening: Shape.optional(Shape.boolean)
})

/**
 * The shape of any scenario, told apart by `_tag`, as its JSON form reads (durations as text or
 * milliseconds, counts as numbers or their text, defaults filled in; a key a scenario does not
 * have is a mistake).
 *
 * @since 0.1.0
 * @category shapes
 */
export const shape: Shape.Field<Scenario> = Shape.taggedUnion([
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
])

/**
 * Reads a scenario's JSON form (what `ScenarioSpec.toHeader` writes, a parsed `x-sim-scenario`
 * header): the scenario with its defaults filled, or every mistake, one line each, in the words
 * a spec's failure uses. Each Effect line's `Scenario` schema decodes with it.
 *
 * @since 0.1.0
 * @category parsing
 */
export const read = (input: unknown): Shape.Decoded<Scenario> => Shape.decode(shape, input)

/**
 * Reads the JSON form of one kind of scenario (`readKind(Steady, input)`), or of one kind of
 * step (`readKind(Step.shapes.Wait, input)`): as `read`, refusing any other `_tag`.
 *
 * @since 0.1.0
 * @category parsing
 */
export const readKind = <A>(kind: Shape.Tagged<A, any>, input: unknown): Shape.Decoded<A> => Shape.decode(kind, input)

/**
 * What a constructor takes: the scenario's JSON form without its tag (durations as `"90s"`,
 * `"20ms"`, `"2 minutes"` or milliseconds; counts as numbers).
 *
 * @since 0.1.0
 * @category models
 */
export type Options<S> = S extends Shape.Tagged<any, infer F> ? Shape.InputOf<F> : never

// Constructors take the JSON form, as a header would, and read it; a mistake is a bug in the code
// that builds the scenario, so they throw.
const construct = <S extends Shape.Tagged<any, any>>(shape: S) => (options: Options<S> = {} as Options<S>): Scenario =>
  orThrow(shape, { ...options, _tag: shape.tag })

/**
 * `chunks` tokens, each after `gap` (+/- `jitter`), then done right after the last. With
 * `jitter: 0` the pace is exact: `steady({ chunks: 3, gap: "1 second", jitter: 0 })` sends chunks
 * at 1, 2 and 3 s and ends at 3 s.
 *
 * @since 0.1.0
 * @category constructors
 */
export const steady: (options?: Options<typeof Steady>) => Scenario = construct(Steady)

/**
 * Silence for `silence` (a reasoning model, a tool call: the stream is open and says nothing;
 * Anthropic still pings), then tokens as in `steady`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const think: (options?: Options<typeof Think>) => Scenario = construct(Think)

/**
 * `after` tokens, then silence with the connection open, forever: the zombie a `chunk` limit
 * exists for. With `gap: 0` the tokens come at once.
 *
 * @since 0.1.0
 * @category constructors
 */
export const stallAfter: (options?: Options<typeof StallAfter>) => Scenario = construct(StallAfter)

/**
 * Only keepalives, one every `interval` (the first after `interval`), forever: alive but no
 * progress. In NDJSON dialects (Ollama), which have no keepalive, this is plain silence.
 *
 * @since 0.1.0
 * @category constructors
 */
export const pingOnly: (options?: Options<typeof PingOnly>) => Scenario = construct(PingOnly)

/**
 * `after` tokens, then the dialect's in-band error event (`errorType`, `message`).
 *
 * @since 0.1.0
 * @category constructors
 */
export const errorMid: (options?: Options<typeof ErrorMid>) => Scenario = construct(ErrorMid)

/**
 * `after` tokens, then a TCP reset.
 *
 * @since 0.1.0
 * @category constructors
 */
export const resetMid: (options?: Options<typeof ResetMid>) => Scenario = construct(ResetMid)

/**
 * `after` tokens, then a clean end without the done signal (a truncated answer).
 *
 * @since 0.1.0
 * @category constructors
 */
export const endWithoutDone: (options?: Options<typeof EndWithoutDone>) => Scenario = construct(EndWithoutDone)

/**
 * Tokens as in `steady`, every event written in pieces of `bytes` bytes, `every` apart.
 *
 * @since 0.1.0
 * @category constructors
 */
export const slowDrip: (options?: Options<typeof SlowDrip>) => Scenario = construct(SlowDrip)

/**
 * One content event of `size` bytes of text, then done.
 *
 * @since 0.1.0
 * @category constructors
 */
export const hugeEvent: (options?: Options<typeof HugeEvent>) => Scenario = construct(HugeEvent)

/**
 * An HTTP error answer instead of a stream:
 * `httpError({ status: 503, retryAfter: 2 })`, `httpError({ status: 400, body: "{}", delay: "2s" })`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const httpError: (options?: Options<typeof HttpError>) => Scenario = construct(HttpError)

/**
 * The request is read, then the response headers come after `delay` (default never), then
 * tokens as in `steady`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const slowHeaders: (options?: Options<typeof SlowHeaders>) => Scenario = construct(SlowHeaders)

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
    readonly keepalive?: Step.DurationInput | "none"
    readonly opening?: boolean
  } = {}
): Scenario => ({
  _tag: "Script",
  steps,
  ...(options.text === undefined ? {} : { text: options.text }),
  ...(options.opening === undefined ? {} : { opening: options.opening }),
  ...(options.keepalive === undefined ?
    {} :
    { keepalive: options.keepalive === "none" ? "none" : millis(options.keepalive) })
})
