/**
 * The known ways a stream (or a batch request) ends. The same names are used in logs, metric
 * labels and the `type` of in-band error events.
 *
 * @since 0.1.0
 */
import * as Outcomes from "@streamguard/kernel/StreamOutcome"
import * as Schema from "effect/Schema"

/**
 * @since 0.1.0
 * @category schemas
 */
export const StreamOutcome = Schema.Literals(Outcomes.outcomes)

/**
 * @since 0.1.0
 * @category models
 */
export type StreamOutcome = typeof StreamOutcome.Type

/**
 * Anything that knows which outcome it stands for: every StreamGuard error does.
 *
 * @since 0.1.0
 * @category models
 */
export interface HasOutcome {
  readonly outcome: StreamOutcome
}

/**
 * @since 0.1.0
 * @category guards
 */
export const hasOutcome = (u: unknown): u is HasOutcome => Outcomes.outcomeOf(u) !== undefined

/**
 * Whether an upstream's HTTP error status is transient (408, 429, 500, 502, 503, 504, 529): the
 * client retries these, and the gateway moves on from them to the route's next upstream. The rule
 * is the kernel's, shared by every line.
 *
 * @since 0.1.0
 * @category predicates
 */
export const isTransientStatus: (status: number) => boolean = Outcomes.isTransientStatus
