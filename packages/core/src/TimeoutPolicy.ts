/**
 * The per-phase time budgets of one request.
 *
 * @since 0.1.0
 */
import { IllegalArgumentException } from "effect/Cause"
import * as Duration from "effect/Duration"
import * as Option from "effect/Option"
import * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"

// Short forms ("30s", "2m", "1500ms") are what people type (in env vars, in a model name, which has
// no room for spaces); Duration.decode only reads the long forms ("30 seconds"), so those are tried
// after this.
const SHORT_FORM = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)$/
const SHORT_UNIT: Record<string, (n: number) => Duration.Duration> = {
  ms: Duration.millis,
  s: Duration.seconds,
  m: Duration.minutes,
  h: Duration.hours,
  d: Duration.days
}

/**
 * A duration as people write it: `"30s"`, `"2m"`, `"1500ms"`, `"1h"`, `"1d"`, Effect's long forms
 * (`"30 seconds"`, `"1500 millis"`), or a number (or numeric string) of milliseconds. Zero is a
 * duration; negative, `NaN` and anything else are not. The one reader of durations in StreamGuard:
 * `Timeout` builds on it.
 *
 * @since 0.1.0
 * @category parsing
 */
export const parseDuration = (input: unknown): Option.Option<Duration.Duration> => {
  if (typeof input === "number") {
    return Number.isFinite(input) && input >= 0 ? Option.some(Duration.millis(input)) : Option.none()
  }
  if (typeof input !== "string") return Option.none()
  const trimmed = input.trim()
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Option.some(Duration.millis(Number(trimmed)))
  const short = SHORT_FORM.exec(trimmed)
  if (short) return Option.some(SHORT_UNIT[short[2]!]!(Number(short[1])))
  return Duration.decodeUnknown(trimmed)
}

const parseTimeout = (input: string | number): Option.Option<Duration.Duration> => {
  if (typeof input === "string" && input.trim() === "none") return Option.some(Duration.infinity)
  // A negative number is a duration, only too short: the positivity check below says so.
  const negative = typeof input === "number" ? input < 0 : /^\s*-\d+(\.\d+)?\s*$/.test(input)
  return negative ? Option.some(Duration.zero) : parseDuration(input)
}

/**
 * A timeout as config and JSON spell it: `"30 seconds"`, `"30s"`, `"2m"`, `"1500 millis"`,
 * `"1500ms"`, a number of milliseconds, or `"none"` (no limit, which also clears a limit
 * inherited in `merge`). Zero and negative values are rejected.
 *
 * Decodes to a `Duration`; `"none"` decodes to `Duration.infinity`.
 *
 * @since 0.1.0
 * @category schemas
 */
export const Timeout: Schema.Schema<Duration.Duration, string | number> = Schema.transformOrFail(
  Schema.Union(Schema.String, Schema.Number),
  Schema.DurationFromSelf,
  {
    strict: true,
    decode: (input, _, ast) =>
      Option.match(parseTimeout(input), {
        onNone: () =>
          ParseResult.fail(
            new ParseResult.Type(
              ast,
              input,
              `expected a duration such as "30s", "2m", "1500 millis", a number of milliseconds, or "none"; got ${
                JSON.stringify(input)
              }`
            )
          ),
        onSome: (duration) =>
          Duration.lessThanOrEqualTo(duration, Duration.zero)
            ? ParseResult.fail(
              new ParseResult.Type(ast, input, `a timeout must be positive; got ${JSON.stringify(input)}`)
            )
            : ParseResult.succeed(duration)
      }),
    encode: (duration) =>
      ParseResult.succeed(Duration.isFinite(duration) ? `${Duration.toMillis(duration)} millis` : "none")
  }
).annotations({ identifier: "Timeout" })

/**
 * The names of a policy's fields, in the order of a request's life.
 *
 * @since 0.1.0
 * @category models
 */
export const fields = [
  "connect",
  "write",
  "headers",
  "pool",
  "request",
  "firstChunk",
  "chunk",
  "progress",
  "total"
] as const

/**
 * @since 0.1.0
 * @category models
 */
export type Field = typeof fields[number]

/**
 * The time budgets of one request, one per phase. An absent field (or `Duration.infinity`, written
 * `"none"`) means no limit.
 *
 * - `connect`: until the connection is up and the request is being sent.
 * - `write`: until the request body is fully sent.
 * - `headers`: from the request sent to the response status and headers (a server that accepts
 *   and never answers).
 * - `pool`: waiting for a connection slot or admission when a limit is set.
 * - `request`: the whole of a batch (non-streaming) request.
 * - `firstChunk`: from the start of the stream to the first content `Chunk`. While it is set and
 *   no content has arrived, it replaces `chunk` and `progress` (a long silent "thinking" start).
 * - `chunk`: the largest gap between any two upstream events, keepalives included (liveness,
 *   the zombie detector; like a read timeout).
 * - `progress`: the largest gap between content `Chunk`s; keepalives do not reset it (catches a
 *   zombie that only sends pings).
 * - `total`: the whole stream, fired on time even when nothing arrives.
 *
 * @since 0.1.0
 * @category models
 */
export class TimeoutPolicy extends Schema.Class<TimeoutPolicy>("TimeoutPolicy")({
  connect: Schema.optional(Timeout),
  write: Schema.optional(Timeout),
  headers: Schema.optional(Timeout),
  pool: Schema.optional(Timeout),
  request: Schema.optional(Timeout),
  firstChunk: Schema.optional(Timeout),
  chunk: Schema.optional(Timeout),
  progress: Schema.optional(Timeout),
  total: Schema.optional(Timeout)
}) {}

/**
 * A policy's fields as a plain record: what `merge` takes as an override.
 *
 * @since 0.1.0
 * @category models
 */
export type Fields = { readonly [K in Field]?: Duration.Duration | undefined }

/**
 * A policy with no limits at all.
 *
 * @since 0.1.0
 * @category constructors
 */
export const empty: TimeoutPolicy = TimeoutPolicy.make({})

/**
 * Builds a policy from durations: absent fields have no limit, `Duration.infinity` is no limit
 * either. Total: every `Duration` is a budget, so nothing can fail here. For values read from
 * config or users, use `decodeUnknown`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (fields: Fields): TimeoutPolicy => {
  const out: { [K in Field]?: Duration.Duration } = {}
  for (const key of Object.keys(fields) as Array<Field>) {
    const value = fields[key]
    if (value !== undefined) out[key] = value
  }
  return new TimeoutPolicy(out, true)
}

/**
 * Builds a policy from duration inputs written in code (`"30 seconds"`, millis, a `Duration`).
 * Throws on an input that is not a duration or is not positive, naming the field: meant for
 * literals, where such a mistake is a bug. For values read from config or users, use
 * `decodeUnknown`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const unsafeMake = (
  fields: { readonly [K in Field]?: Duration.DurationInput | undefined }
): TimeoutPolicy => {
  const out: { [K in Field]?: Duration.Duration } = {}
  for (const key of Object.keys(fields) as Array<Field>) {
    const value = fields[key]
    if (value === undefined) continue
    const duration = Duration.decodeUnknown(value)
    if (Option.isNone(duration) || !Duration.greaterThan(duration.value, Duration.zero)) {
      throw new IllegalArgumentException(`TimeoutPolicy.${key}: expected a positive duration; got ${String(value)}`)
    }
    out[key] = duration.value
  }
  return new TimeoutPolicy(out, true)
}

/**
 * Merges two policies field by field; a field set in `override` wins, an absent one keeps the
 * `base` value. `Duration.infinity` (`"none"`) in the override clears the base's limit. Used in the
 * order built-in profile, then config, then per-call override.
 *
 * @since 0.1.0
 * @category combinators
 */
export const merge = (base: TimeoutPolicy, override: Fields): TimeoutPolicy => {
  const out: { [K in Field]?: Duration.Duration } = {}
  for (const key of fields) {
    const value = override[key] ?? base[key]
    if (value !== undefined) out[key] = value
  }
  // Both sides are policies already: nothing to validate again (this runs once per request).
  return new TimeoutPolicy(out, true)
}

/**
 * The limit of a field, if it has a finite one.
 *
 * @since 0.1.0
 * @category getters
 */
export const limit = (policy: TimeoutPolicy, field: Field): Option.Option<Duration.Duration> => {
  const value = policy[field]
  return value !== undefined && Duration.isFinite(value) ? Option.some(value) : Option.none()
}

/**
 * Decodes a policy from config-shaped input (`{ "chunk": "45s", "total": "none" }`); a bad value
 * fails with a message naming the field.
 *
 * @since 0.1.0
 * @category decoding
 */
export const decodeUnknown = Schema.decodeUnknown(TimeoutPolicy)
