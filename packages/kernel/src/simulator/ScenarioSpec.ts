/**
 * How a request names its scenario: a spec in its model name (`sim:steady?chunks=200&gap=20ms`,
 * `sim:think-90s`, `sim:429`) or in the `x-sim-scenario` header (a spec as above, or JSON: a
 * scenario object, or an array of steps). Any other model name plays `steady` with its defaults.
 *
 * @since 0.1.0
 */
import * as Shape from "./internal/shape.js"
import * as Scenario from "./Scenario.js"
import type { ScenarioParseError } from "./SimulatorError.js"
import { scenarioParseError } from "./SimulatorError.js"

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

const byName: Readonly<Record<string, Scenario.Scenario["_tag"]>> = {
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

// A name that carries its main parameter: the pattern, the scenario, the parameter it sets.
const withSuffix: ReadonlyArray<readonly [RegExp, Scenario.Scenario["_tag"], string]> = [
  [/^think-(.+)$/, "Think", "silence"],
  [/^stall-after-(\d+)$/, "StallAfter", "after"],
  [/^slow-headers-(.+)$/, "SlowHeaders", "delay"],
  [/^(\d{3})$/, "HttpError", "status"]
]

/**
 * Whether a parse gave a failure rather than a scenario.
 *
 * @since 0.1.0
 * @category predicates
 */
export const isFailure = (result: Scenario.Scenario | ScenarioParseError): result is ScenarioParseError =>
  result._tag === "ScenarioParseError"

// Every mistake, each with its parameter (`chunkz: is unexpected, expected: "chunks" | ...`).
const read = (spec: string, input: unknown): Scenario.Scenario | ScenarioParseError => {
  const decoded = Shape.decode(Scenario.shape, input)
  return decoded._tag === "Ok" ? decoded.value : scenarioParseError(spec, decoded.lines.join("; "))
}

/** The scenario a name stands for, with the parameter it carries; `undefined` for no scenario. */
const nameToInput = (name: string): Record<string, unknown> | undefined => {
  const tag = byName[name]
  if (tag !== undefined) return { _tag: tag }
  for (const [pattern, suffixTag, field] of withSuffix) {
    const match = pattern.exec(name)
    if (match !== null) return { _tag: suffixTag, [field]: match[1] }
  }
  return undefined
}

const readJson = (spec: string, text: string): Scenario.Scenario | ScenarioParseError => {
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch (cause) {
    return scenarioParseError(spec, `bad JSON: ${String(cause)}`)
  }
  return read(spec, Array.isArray(json) ? { _tag: "Script", steps: json } : json)
}

/**
 * Reads a spec: `sim:<name>?param=value&...` (the `sim:` prefix is optional), a JSON scenario
 * object (`{"_tag":"Steady","chunks":3}`), or a JSON array of steps (a `Script`). Unknown
 * parameters are failures, so a typo does not silently play the defaults; the failure names
 * every mistake, one per parameter.
 *
 * @since 0.1.0
 * @category parsing
 */
export const parse = (spec: string): Scenario.Scenario | ScenarioParseError => {
  const trimmed = spec.trim()
  if (trimmed.startsWith("{") || trimmed.startsWith("[")) return readJson(spec, trimmed)
  const body = trimmed.startsWith("sim:") ? trimmed.slice(4) : trimmed
  const question = body.indexOf("?")
  const name = question === -1 ? body : body.slice(0, question)
  const params = question === -1 ? {} : Object.fromEntries(new URLSearchParams(body.slice(question + 1)))
  const input = nameToInput(name)
  return input === undefined ?
    scenarioParseError(spec, `unknown scenario "${name}"; known: ${names.join(", ")}`) :
    read(spec, { ...input, ...params })
}

/**
 * The scenario a model name asks for: `sim:...` parses, any other name plays `steady`.
 *
 * @since 0.1.0
 * @category parsing
 */
export const fromModel = (model: string): Scenario.Scenario | ScenarioParseError =>
  model.startsWith("sim:") ? parse(model) : Scenario.steady()

/**
 * The JSON form of a scenario, for the `x-sim-scenario` header: `parse(toHeader(s))` gives `s`.
 *
 * @since 0.1.0
 * @category formatting
 */
export const toHeader = (scenario: Scenario.Scenario): string => JSON.stringify(scenario)

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
