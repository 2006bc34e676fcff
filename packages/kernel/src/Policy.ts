/**
 * A timeout policy as plain data: the per-phase budgets of one request in millis, and the rules
 * that combine policies (`merge`, `without`). Each line's `TimeoutPolicy` holds its own Effect
 * durations and follows these rules.
 *
 * @since 0.1.0
 */
import * as Rate from "./Rate.js"

/**
 * The names of a policy's duration fields, in the order of a request's life.
 *
 * @since 0.1.0
 * @category constants
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
  "reasoning",
  "total"
] as const

/**
 * The name of a policy's duration field.
 *
 * @since 0.1.0
 * @category models
 */
export type Field = typeof fields[number]

/**
 * Every field of a policy: the durations of `fields`, then `minRate`, a rate.
 *
 * @since 0.1.0
 * @category constants
 */
export const allFields = [...fields, "minRate"] as const

/**
 * @since 0.1.0
 * @category models
 */
export type PolicyField = typeof allFields[number]

/**
 * A policy's fields, whatever a duration (`D`) and a rate (`R`) are: millis and `Rate.MinRate` here,
 * a line's own durations in its `TimeoutPolicy`. An absent field has no limit of its own and keeps
 * the base's in a merge.
 *
 * @since 0.1.0
 * @category models
 */
export type Fields<D, R> = { readonly [K in Field]?: D | undefined } & { readonly minRate?: R | undefined }

/**
 * The budgets of one request in millis: an absent field, or `Infinity` (`"none"`), is no limit. See
 * each line's `TimeoutPolicy` for what each field bounds.
 *
 * @since 0.1.0
 * @category models
 */
export type Policy = Fields<number, Rate.MinRate>

/**
 * A policy with no limits at all.
 *
 * @since 0.1.0
 * @category constants
 */
export const empty: Policy = {}

/**
 * Merges two policies field by field: a field set in `override` wins, an absent one keeps the
 * `base` value, so a "none" in the override (`Infinity`, `Rate.none`) clears the base's limit. The
 * order is built-in profile, then config, then a call's own override.
 *
 * @since 0.1.0
 * @category combinators
 */
export const merge = <D, R>(base: Fields<D, R>, override: Fields<D, R>): Fields<D, R> => {
  const out: { [K in Field]?: D } & { minRate?: R } = {}
  for (const key of fields) {
    const value = override[key] ?? base[key]
    if (value !== undefined) out[key] = value
  }
  const minRate = override.minRate ?? base.minRate
  if (minRate !== undefined) out.minRate = minRate
  return out
}

/**
 * The override that clears the named fields: `none` for each duration, `noRate` for `minRate`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const cleared = <D, R>(names: ReadonlyArray<PolicyField>, none: D, noRate: R): Fields<D, R> => {
  const out: { [K in Field]?: D } & { minRate?: R } = {}
  for (const name of names) {
    if (name === "minRate") out.minRate = noRate
    else out[name] = none
  }
  return out
}

/**
 * The policy without the limits `names` lists, as if each were `"none"`: what a stream that some
 * limits do not fit keeps of its profile (a subscription that is long-lived by design drops
 * `progress` and `total`). A merge after it can set any of them again.
 *
 * @since 0.1.0
 * @category combinators
 */
export const without = (policy: Policy, names: ReadonlyArray<PolicyField>): Policy =>
  merge(policy, cleared(names, Infinity, Rate.none))

/**
 * The limit of a field in millis, if it has a finite one.
 *
 * @since 0.1.0
 * @category getters
 */
export const limit = (policy: Policy, field: Field): number | undefined => {
  const value = policy[field]
  return value !== undefined && Number.isFinite(value) ? value : undefined
}

/**
 * The minimum rate, if the policy sets one (not `"none"`).
 *
 * @since 0.1.0
 * @category getters
 */
export const minRate = (policy: Policy): Rate.MinRate | undefined => {
  const value = policy.minRate
  return value !== undefined && Rate.isLimit(value) ? value : undefined
}
