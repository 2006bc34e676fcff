/**
 * A `TimeoutPolicy` as the kernel reads it: its budgets in millis (`Infinity` for none), and back.
 *
 * @internal
 */
import * as Policy from "@streamguard/kernel/Policy"
import * as Duration from "effect/Duration"
import { MinRate, noMinRate, TimeoutPolicy } from "../TimeoutPolicy.js"

type MutablePolicy = { -readonly [K in keyof Policy.Policy]: Policy.Policy[K] }

/**
 * The policy in millis.
 *
 * @internal
 */
export const millisOf = (policy: TimeoutPolicy): Policy.Policy => {
  const out: MutablePolicy = {}
  for (const field of Policy.fields) {
    const value = policy[field]
    if (value !== undefined) out[field] = Duration.toMillis(value)
  }
  const rate = policy.minRate
  if (rate !== undefined) out.minRate = { events: rate.events, windowMillis: Duration.toMillis(rate.per) }
  return out
}

type MutableFields = { [K in Policy.Field]?: Duration.Duration } & { minRate?: MinRate }

/**
 * A policy in millis as the fields of a `TimeoutPolicy`: its Durations, and its `MinRate`.
 *
 * @internal
 */
export const fieldsOf = (policy: Policy.Policy): MutableFields => {
  const out: MutableFields = {}
  for (const field of Policy.fields) {
    const value = policy[field]
    if (value !== undefined) out[field] = Duration.millis(value)
  }
  const rate = policy.minRate
  if (rate !== undefined) {
    out.minRate = rate.events === 0
      ? noMinRate
      : new MinRate({ events: rate.events, per: Duration.millis(rate.windowMillis) }, { disableChecks: true })
  }
  return out
}

/**
 * A policy in millis as a `TimeoutPolicy`.
 *
 * @internal
 */
export const fromMillis = (policy: Policy.Policy): TimeoutPolicy =>
  new TimeoutPolicy(fieldsOf(policy), { disableChecks: true })
