/**
 * The per-phase time budgets of one request.
 *
 * @since 0.1.0
 */
import * as Durations from "@streamguard/kernel/Durations"
import * as Messages from "@streamguard/kernel/Messages"
import * as Policy from "@streamguard/kernel/Policy"
import * as Rates from "@streamguard/kernel/Rate"
import { IllegalArgumentError } from "effect/Cause"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import * as SchemaIssue from "effect/SchemaIssue"
import * as SchemaTransformation from "effect/SchemaTransformation"

/**
 * A duration as people write it: `"30s"`, `"2m"`, `"1500ms"`, `"1h"`, `"1d"`, Effect's long forms
 * (`"30 seconds"`, `"1500 millis"`), or a number (or numeric string) of milliseconds. Zero is a
 * duration; negative, `NaN` and anything else are not. The one reader of durations in StreamGuard
 * (the kernel's, shared by every line): `Timeout` builds on it.
 *
 * @since 0.1.0
 * @category parsing
 */
export const parseDuration = (input: unknown): Option.Option<Duration.Duration> => {
  const millis = Durations.parse(input)
  return millis === undefined ? Option.none() : Option.some(Duration.millis(millis))
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
export const Timeout: Schema.Codec<Duration.Duration, string | number> = Schema.Union([Schema.String, Schema.Number])
  .pipe(
    Schema.decodeTo(
      Schema.Duration,
      SchemaTransformation.transformEffect({
        decode: (input: string | number) => {
          const parsed = Durations.parseTimeout(input)
          return Durations.isParsed(parsed)
            ? Effect.succeed(Duration.millis(parsed.value))
            : Effect.fail(new SchemaIssue.InvalidValue({ message: parsed.reason }, input))
        },
        encode: (duration: Duration.Duration) =>
          Effect.succeed<string | number>(Durations.formatTimeout(Duration.toMillis(duration)))
      })
    ),
    Schema.annotate({ identifier: "Timeout" })
  )

/**
 * The names of a policy's fields, in the order of a request's life.
 *
 * @since 0.1.0
 * @category models
 */
export const fields: typeof Policy.fields = Policy.fields

/**
 * The name of a policy's duration field.
 *
 * @since 0.1.0
 * @category models
 */
export type Field = Policy.Field

/**
 * Every field of a policy: the durations of `fields`, then `minRate`, a rate.
 *
 * @since 0.1.0
 * @category models
 */
export const allFields: typeof Policy.allFields = Policy.allFields

/**
 * @since 0.1.0
 * @category models
 */
export type PolicyField = Policy.PolicyField

/**
 * The least content a stream must keep producing once its content began: at least `events`
 * content events in every window of `per`. `events` 0 is no limit (`"none"`).
 *
 * @since 0.1.0
 * @category models
 */
export class MinRate extends Schema.Class<MinRate>("MinRate")({
  events: Schema.Int.check(Schema.isGreaterThanOrEqualTo(0)),
  per: Schema.Duration
}) {}

/**
 * No minimum rate: clears one inherited in `merge`.
 *
 * @since 0.1.0
 * @category constants
 */
export const noMinRate: MinRate = new MinRate({ events: 0, per: Duration.infinity }, { disableChecks: true })

/**
 * A minimum rate of `events` content events in every `per`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const rate = (events: number, per: Duration.Input): MinRate =>
  new MinRate({ events, per: Duration.fromInputUnsafe(per) })

const parseRate = (input: string): MinRate | string => {
  const parsed = Rates.parse(input)
  if (!Durations.isParsed(parsed)) return parsed.reason
  const { events, windowMillis } = parsed.value
  return events === 0 ? noMinRate : new MinRate({ events, per: Duration.millis(windowMillis) }, { disableChecks: true })
}

/**
 * A minimum rate as config and JSON spell it: `"<events>/<window>"` (`"5/10s"`, `"20 / 1m"`,
 * `"5 per 10 seconds"`), the window a duration as `Timeout` reads it, or `"none"` (no limit, which
 * also clears a rate inherited in `merge`).
 *
 * @since 0.1.0
 * @category schemas
 */
export const Rate: Schema.Codec<MinRate, string> = Schema.String.pipe(
  Schema.decodeTo(
    Schema.toType(MinRate),
    SchemaTransformation.transformEffect({
      decode: (input: string) => {
        const rate = parseRate(input)
        return typeof rate === "string"
          ? Effect.fail(new SchemaIssue.InvalidValue({ message: rate }, input))
          : Effect.succeed(rate)
      },
      encode: (rate: MinRate) =>
        Effect.succeed(Rates.format({ events: rate.events, windowMillis: Duration.toMillis(rate.per) }))
    })
  ),
  Schema.annotate({ identifier: "Rate" })
)

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
 * - `reasoning` (off by default): how long a stream may produce only reasoning content (thinking
 *   deltas) before its answer content begins, counted from its first reasoning content like
 *   `progress`. Reasoning still resets `chunk` and `progress`; answer content ends the limit.
 * - `total`: the whole stream, fired on time even when nothing arrives.
 * - `minRate` (off by default): from the first content on, at least `events` content events in
 *   every window of `per`, checked at the end of each window.
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
  reasoning: Schema.optional(Timeout),
  total: Schema.optional(Timeout),
  minRate: Schema.optional(Rate)
}) {}

/**
 * A policy's fields as a plain record: what `make` builds a policy from, and what `merge` (and so
 * `RequestProfile.withPolicy` and a call's `policy` option) takes as an override. Each duration is
 * a `Duration.Input`, as `Effect.timeout` and `Effect.sleep` take one: a `Duration`, a
 * number of milliseconds, or a literal such as `"30 seconds"`, whose type rejects a malformed one
 * at compile time.
 *
 * @since 0.1.0
 * @category models
 */
export type Fields = { readonly [K in Field]?: Duration.Input | undefined } & {
  readonly minRate?: MinRate | undefined
}

type MutableFields = { [K in Field]?: Duration.Duration } & { minRate?: MinRate }

// A policy is written in code, so a value that is no duration (which plain JavaScript, or a cast,
// lets through) is a bug: it throws when the policy is built, naming the field and the value, as
// `Effect.sleep` dies on a bad input, rather than killing the first stream that runs under it.
// Values from config or users go through `decodeUnknown`, which fails with a typed `SchemaError`.
const durationOf = (field: Field, value: Duration.Input): Duration.Duration => {
  // The common case (every request's merge): a Duration already, nothing to decode.
  if (Duration.isDuration(value)) return value
  const decoded = Duration.fromInput(value)
  if (Option.isNone(decoded)) throw new IllegalArgumentError(Messages.fieldNotADuration(field, value))
  return decoded.value
}

const minRateOf = (value: unknown): MinRate => {
  if (value instanceof MinRate) return value
  throw new IllegalArgumentError(Messages.fieldNotAMinRate(value))
}

/**
 * A policy with no limits at all.
 *
 * @since 0.1.0
 * @category constructors
 */
export const empty: TimeoutPolicy = new TimeoutPolicy({}, { disableChecks: true })

/**
 * Merges two policies field by field; a field set in `override` wins, an absent one keeps the
 * `base` value. `Duration.infinity` (`"none"`) in the override clears the base's limit. Used in the
 * order built-in profile, then config, then per-call override. Throws, naming the field, on an
 * override that is no duration (see `make`).
 *
 * @since 0.1.0
 * @category combinators
 */
export const merge = (base: TimeoutPolicy, override: Fields): TimeoutPolicy => {
  const checked: MutableFields = {}
  // Most calls change nothing (no override, or a stream's budget equal to its profile's): `base`
  // itself is then the answer, with no new policy per stream.
  let changed = false
  for (const key of fields) {
    const value = override[key]
    if (value === undefined) continue
    const duration = durationOf(key, value)
    checked[key] = duration
    const was = base[key]
    if (was === undefined || !Duration.equals(was, duration)) changed = true
  }
  if (override.minRate !== undefined) {
    checked.minRate = minRateOf(override.minRate)
    if (checked.minRate !== base.minRate) changed = true
  }
  if (!changed) return base
  // Every value is a Duration or a MinRate by now: nothing for the schema to check again (this
  // runs once per request).
  return new TimeoutPolicy(Policy.merge<Duration.Duration, MinRate>(base, checked), { disableChecks: true })
}

/**
 * Builds a policy from duration inputs, as `Effect.timeout` and `Effect.sleep` take them
 * (`Duration.seconds(30)`, `30_000`, `"30 seconds"`): absent fields have no limit, and
 * `Duration.infinity` is no limit either. A value that is no duration, which plain JavaScript can
 * pass, throws an `IllegalArgumentError` naming the field and the value when the policy is
 * built, not when a stream first runs under it. For values read from config or users, use
 * `decodeUnknown`, which fails with a typed error instead.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (fields: Fields): TimeoutPolicy => merge(empty, fields)

/**
 * `make` for literals that must be budgets: every duration positive, and `minRate` also as config
 * writes it (`"5/10s"`). Throws on a bad one, naming the field: meant for literals, where such a
 * mistake is a bug. For values read from config or users, use `decodeUnknown`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const unsafeMake = (
  fields:
    & { readonly [K in Field]?: Duration.Input | undefined }
    & { readonly minRate?: MinRate | string | undefined }
): TimeoutPolicy => {
  for (const key of Object.keys(fields) as Array<PolicyField>) {
    const value = key === "minRate" ? undefined : fields[key]
    if (value === undefined) continue
    const duration = Duration.fromInput(value)
    if (Option.isNone(duration) || !Duration.isGreaterThan(duration.value, Duration.zero)) {
      throw new IllegalArgumentError(Messages.fieldNotPositive(key, value))
    }
  }
  const minRate = typeof fields.minRate === "string" ? parseRate(fields.minRate) : fields.minRate
  if (typeof minRate === "string") throw new IllegalArgumentError(Messages.fieldBadRate(minRate))
  return make({ ...fields, minRate })
}

/**
 * The policy without the limits `fields` names, as if each were `"none"`: what a stream that some
 * limits do not fit keeps of its profile (a subscription that is long-lived by design drops
 * `progress` and `total`). Merge a call's own fields after it to set any of them again.
 *
 * @since 0.1.0
 * @category combinators
 */
export const without = (policy: TimeoutPolicy, fields: ReadonlyArray<PolicyField>): TimeoutPolicy =>
  merge(policy, Policy.cleared(fields, Duration.infinity, noMinRate))

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
 * The minimum rate, if the policy sets one (not `"none"`).
 *
 * @since 0.1.0
 * @category getters
 */
export const minRate = (policy: TimeoutPolicy): Option.Option<MinRate> => {
  const value = policy.minRate
  return value !== undefined && Rates.isLimit({ events: value.events, windowMillis: Duration.toMillis(value.per) })
    ? Option.some(value)
    : Option.none()
}

/**
 * Decodes a policy from config-shaped input (`{ "chunk": "45s", "total": "none", "minRate": "5/10s" }`);
 * a bad value fails with a message naming the field.
 *
 * @since 0.1.0
 * @category decoding
 */
export const decodeUnknown = Schema.decodeUnknownEffect(TimeoutPolicy)
