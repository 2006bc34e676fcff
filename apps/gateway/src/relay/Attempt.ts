/**
 * One upstream attempt of a proxied request: the upstream it goes to with its request (`Target`),
 * why it started (`Role`), how it ended (`Attempt`), what the relay tells the attempts of a stream
 * and hears back from them (`Link`), and the counter of every attempt by upstream, role and result.
 *
 * @since 0.1.0
 */
import type { LlmClient } from "@streamguard/client"
import type { StreamEvent, StreamObserver } from "@streamguard/core"
import { StreamOutcome } from "@streamguard/core"
import type { Next, StreamSnapshot } from "@streamguard/kernel/StreamSnapshot"
import type { Array as Arr, Cause, Effect } from "effect"
import { Metric } from "effect"
import type { HttpClientRequest } from "effect/http"
import { ownCounter } from "./OwnCounter.js"

/**
 * One upstream of a route, with the request it gets (and the gateway's key for it).
 *
 * @since 0.1.0
 * @category models
 */
export interface Target {
  readonly upstream: string
  readonly request: HttpClientRequest.HttpClientRequest
}

/**
 * Why an attempt started: the route's first upstream, a fallback after a failure, or a hedge.
 *
 * @since 0.1.0
 * @category models
 */
export type Role = "primary" | "fallback" | "hedge"

/**
 * One attempt and how it ended: `served` (its stream, or its answer, is the client's), `cancelled`
 * (it lost a hedge race), `pending` (still undecided), or the stream outcome it failed with.
 *
 * @since 0.1.0
 * @category models
 */
export interface Attempt {
  readonly upstream: string
  /** 1 for the first attempt, in the order they started. */
  readonly attempt: number
  readonly role: Role
  result: string
}

/**
 * A guard a viewer can read: its feed, which tells where it stands when asked.
 *
 * @since 0.1.0
 * @category models
 */
export interface Guarded {
  readonly snapshot?: ((now?: number) => StreamSnapshot) | undefined
  readonly nextLimit?: ((now?: number) => Next | undefined) | undefined
}

/**
 * The result of an attempt that failed with `error`: the outcome it names (`connect_timeout`,
 * `upstream_http_error`, ...).
 *
 * @since 0.1.0
 * @category models
 */
export const outcomeOf = (error: unknown): string => StreamOutcome.hasOutcome(error) ? error.outcome : "failed"

/**
 * One pull of an attempt's guarded stream: what arrived since the last pull (one network read's
 * events, as a rule), the stream's failure, or `Cause.Done` at its end.
 *
 * @since 0.1.0
 * @category models
 */
export type Pull<A> = Effect.Effect<
  Arr.NonEmptyReadonlyArray<StreamEvent.StreamEvent<A>>,
  LlmClient.StreamError | Cause.Done
>

/**
 * What the relay tells the attempts of one stream, and what it hears back from them: the options
 * every attempt's stream is given, an observer for each attempt (which hears its end), the
 * silence before content, and the pull of each attempt as it opens.
 *
 * @since 0.1.0
 * @category models
 */
export interface Link<A> {
  /** What every attempt's stream shares: the heartbeat and where it is written, the abort signal. */
  readonly options?: Omit<LlmClient.StreamOptions<A>, "dialect" | "labels" | "observer" | "policy"> | undefined
  /** The observer of one attempt's stream. */
  observe(attempt: Attempt): StreamObserver.Service
  /** Runs at a heartbeat before any content: the client may be told the stream is alive. */
  readonly waiting: Effect.Effect<void>
  /**
   * Told each attempt's pull as it opens, when attempts run one at a time in the caller's fiber
   * (a route without a hedge): what a drain reads if the client leaves before content. A hedged
   * attempt is pulled by a fiber of its own, which a second reader would race.
   */
  opened?(pull: Pull<A>): void
  /** Told each attempt's guard as it starts, for a viewer to read where it stands (never per chunk). */
  watch?(attempt: Attempt, guard: Guarded): void
}

/**
 * Attempts by upstream, role (`primary`, `fallback`, `hedge`) and result (`served`, `cancelled`,
 * or the outcome it failed with).
 *
 * @since 0.1.0
 * @category metrics
 */
export const attempts = Metric.counter("streamguard_gateway_attempts_total", {
  description: "upstream attempts of proxied requests, by upstream, role (primary, fallback, hedge) and result",
  incremental: true
})

/**
 * Counts one attempt once it ended, in its upstream's, role's and result's own series (`ownCounter`).
 *
 * @since 0.1.0
 * @category metrics
 */
export const count = (attempt: Attempt): Effect.Effect<void> =>
  Metric.update(ownCounter(attempts, { upstream: attempt.upstream, role: attempt.role, result: attempt.result }), 1)
