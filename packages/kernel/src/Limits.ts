/**
 * The limits of one guarded stream in millis, read once from its policy, and the deadlines the
 * guard keeps for it.
 *
 * @since 0.1.0
 */
import * as Policy from "./Policy.js"

/**
 * A phase of a request before its response: each has its own limit, counted from when it began.
 *
 * @since 0.1.0
 * @category models
 */
export type Phase = "pool" | "connect" | "write" | "headers"

/**
 * `stream`: a streamed response under `total`, `firstChunk`, `chunk`, `progress`, `reasoning` and
 * `minRate`. `batch`: a whole response under `request`; the idle limits do not apply.
 *
 * @since 0.1.0
 * @category models
 */
export type Kind = "stream" | "batch"

/**
 * The limits of one stream in millis; `undefined` is no limit.
 *
 * @since 0.1.0
 * @category models
 */
export interface Limits {
  readonly pool: number | undefined
  readonly connect: number | undefined
  readonly write: number | undefined
  readonly headers: number | undefined
  readonly request: number | undefined
  readonly firstChunk: number | undefined
  readonly chunk: number | undefined
  readonly progress: number | undefined
  readonly reasoning: number | undefined
  readonly total: number | undefined
  /** At least `events` content events in every `window` millis, once content began. */
  readonly minRate: { readonly events: number; readonly window: number } | undefined
}

/**
 * The limits that apply to a stream of `kind`: a batch has only its phases and `request`; a
 * stream has everything else. Without a `headers` limit, a stream's wait for its headers is
 * bounded by `chunk`: that wait is upstream silence too.
 *
 * @since 0.1.0
 * @category constructors
 */
export const limitsOf = (policy: Policy.Policy, kind: Kind): Limits => {
  const chunk = Policy.limit(policy, "chunk")
  if (kind === "batch") {
    return {
      pool: Policy.limit(policy, "pool"),
      connect: Policy.limit(policy, "connect"),
      write: Policy.limit(policy, "write"),
      headers: Policy.limit(policy, "headers"),
      request: Policy.limit(policy, "request"),
      firstChunk: undefined,
      chunk: undefined,
      progress: undefined,
      reasoning: undefined,
      total: undefined,
      minRate: undefined
    }
  }
  const rate = Policy.minRate(policy)
  return {
    pool: Policy.limit(policy, "pool"),
    connect: Policy.limit(policy, "connect"),
    write: Policy.limit(policy, "write"),
    headers: Policy.limit(policy, "headers") ?? chunk,
    request: undefined,
    firstChunk: Policy.limit(policy, "firstChunk"),
    chunk,
    progress: Policy.limit(policy, "progress"),
    reasoning: Policy.limit(policy, "reasoning"),
    total: Policy.limit(policy, "total"),
    minRate: rate === undefined ? undefined : { events: rate.events, window: Math.max(1, rate.windowMillis) }
  }
}

/**
 * What may come due: a limit, or the heartbeat (not a limit: a keepalive of the stream's own).
 *
 * @since 0.1.0
 * @category models
 */
export type Deadline =
  | Phase
  | "request"
  | "firstChunk"
  | "chunk"
  | "progress"
  | "reasoning"
  | "total"
  | "minRate"
  | "heartbeat"
