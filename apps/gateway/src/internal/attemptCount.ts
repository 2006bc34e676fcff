/**
 * The attempts counter: every upstream attempt of a proxied request, by upstream, role and result.
 *
 * @internal
 */
import type { Effect } from "effect"
import { Metric } from "effect"

/**
 * Attempts by upstream, role (`primary`, `fallback`, `hedge`) and result (`served`, `cancelled`,
 * or the outcome it failed with).
 *
 * @internal
 */
export const attempts = Metric.counter("streamguard_gateway_attempts_total", {
  description: "upstream attempts of proxied requests, by upstream, role (primary, fallback, hedge) and result",
  incremental: true
})

const byKey = new Map<string, Effect.Effect<void>>()

/**
 * Counts one attempt once it ended. Each tagged counter is made once: tagging builds and hashes a
 * new metric key.
 *
 * @internal
 */
export const count = (
  attempt: { readonly upstream: string; readonly role: string; readonly result: string }
): Effect.Effect<void> => {
  const key = `${attempt.upstream} ${attempt.role} ${attempt.result}`
  let increment = byKey.get(key)
  if (increment === undefined) {
    increment = Metric.increment(
      Metric.tagged(
        Metric.tagged(Metric.tagged(attempts, "upstream", attempt.upstream), "role", attempt.role),
        "result",
        attempt.result
      )
    )
    byKey.set(key, increment)
  }
  return increment
}
