/**
 * The suite's plain policies (milliseconds) to and from the Effect 4 line's `TimeoutPolicy`.
 */
import type { Policy, PolicySpec } from "@streamguard/behaviour"
import { Profiles, TimeoutPolicy } from "@streamguard/core"
import { Duration, Option } from "effect"

/** The policy a case runs under: a built-in profile's, or the one written out. */
export const toTimeoutPolicy = (spec: PolicySpec): TimeoutPolicy.TimeoutPolicy => {
  if (typeof spec === "string") return Profiles.builtins[spec]
  const { minRate, ...durations } = spec
  return TimeoutPolicy.make({
    ...durations,
    ...(minRate === undefined
      ? {}
      : { minRate: TimeoutPolicy.rate(minRate.events, Duration.millis(minRate.perMillis)) })
  })
}

/** A loaded policy as the suite compares it: every finite limit in milliseconds, no others. */
export const toPolicy = (policy: TimeoutPolicy.TimeoutPolicy): Policy => {
  const limits: Record<string, unknown> = {}
  for (const field of TimeoutPolicy.fields) {
    const limit = TimeoutPolicy.limit(policy, field)
    if (Option.isSome(limit)) limits[field] = Duration.toMillis(limit.value)
  }
  const minRate = TimeoutPolicy.minRate(policy)
  if (Option.isSome(minRate)) {
    limits.minRate = { events: minRate.value.events, perMillis: Duration.toMillis(minRate.value.per) }
  }
  return limits as Policy
}
