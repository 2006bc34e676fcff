/**
 * How a request names its scenario: a spec in its model name (`sim:steady?chunks=200&gap=20ms`,
 * `sim:think-90s`, `sim:429`) or in the `x-sim-scenario` header (a spec as above, or JSON: a
 * scenario object, or an array of steps). Any other model name plays `steady` with its defaults.
 *
 * @since 0.1.0
 */
import * as ParseIssues from "@streamguard/core-effect3/ParseIssues"
import * as Either from "effect/Either"
import * as Schema from "effect/Schema"
import * as Scenario from "./Scenario.js"

/**
 * A scenario spec or header that does not parse.
 *
 * @since 0.1.0
 * @category errors
 */
export class ScenarioParseError extends Schema.TaggedError<ScenarioParseError>(
  "@streamguard/simulator/ScenarioParseError"
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

const byName: Record<string, Scenario.Scenario["_tag"]> = {
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

const withSuffix: ReadonlyArray<readonly [RegExp, Scenario.Scenario["_tag"], string]> = [
  [/^think-(.+)$/, "Think", "silence"],
  [/^stall-after-(\d+)$/, "StallAfter", "after"],
  [/^slow-headers-(.+)$/, "SlowHeaders", "delay"],
  [/^(\d{3})$/, "HttpError", "status"]
]

const decodeScenario = Schema.decodeUnknownEither(Scenario.Scenario, { onExcessProperty: "error", errors: "all" })

// Every mistake, each with its parameter (`chunkz: is unexpected, expected: "chunks" | ...`).
const decodeInput = (spec: string, input: unknown): Either.Either<Scenario.Scenario, ScenarioParseError> =>
  Either.mapLeft(
    decodeScenario(input),
    (error) => new ScenarioParseError({ spec, reason: ParseIssues.lines(error).join("; ") })
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
export const parse = (spec: string): Either.Either<Scenario.Scenario, ScenarioParseError> => {
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
export const fromModel = (model: string): Either.Either<Scenario.Scenario, ScenarioParseError> =>
  model.startsWith("sim:") ? parse(model) : Either.right(Scenario.steady())

/**
 * The JSON form of a scenario, for the `x-sim-scenario` header: `parse(toHeader(s))` gives `s`.
 *
 * @since 0.1.0
 * @category formatting
 */
export const toHeader = (scenario: Scenario.Scenario): string =>
  JSON.stringify(Schema.encodeSync(Scenario.Scenario)(scenario))

/**
 * The scenario's name as a spec writes it (`steady`, `stall-after`, `429`, `script`), for
 * records and logs.
 *
 * @since 0.1.0
 * @category formatting
 */
export const name = (scenario: Scenario.Scenario): string => {
  if (scenario._tag === "Script") return "script"
  if (scenario._tag === "HttpError") return String(scenario.status)
  return Object.entries(byName).find(([, tag]) => tag === scenario._tag)?.[0] ?? scenario._tag
}
