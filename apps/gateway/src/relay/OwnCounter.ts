/**
 * A counter again, under its own name and description, with a set of attributes as its own, made
 * once per attribute set. The gateway counts by upstream, endpoint, role and outcome at every
 * request's end; `Metric.withAttributes` would add the attributes to the fiber's context (a copy of
 * it) at every update, so each series is a counter of its own instead, kept here.
 *
 * @since 0.1.0
 */
import { Metric } from "effect"

// Keyed by the counter's id and the attributes in their order (Effect tells series apart by the
// order of their keys too); a few dozen entries: attribute values come from the configuration.
const counters = new Map<string, Metric.Counter<number>>()

/**
 * `counter` with `attributes` as its own, the same counter for the same attributes.
 *
 * @since 0.1.0
 * @category metrics
 */
export const ownCounter = (
  counter: Metric.Counter<number>,
  attributes: Readonly<Record<string, string>>
): Metric.Counter<number> => {
  const key = `${counter.id}\u0000${JSON.stringify(attributes)}`
  let own = counters.get(key)
  if (own === undefined) {
    own = Metric.counter(counter.id, { description: counter.description, incremental: true, attributes })
    counters.set(key, own)
  }
  return own
}
