/**
 * A stream's limits in millis, read once from its policy, and the timeout each one fails with.
 *
 * @internal
 */
import * as Duration from "effect/Duration"
import * as Option from "effect/Option"
import type { GuardError } from "../GuardError.js"
import type { TimeoutDetails } from "../TimeoutError.js"
import {
  ChunkTimeout,
  ConnectTimeout,
  FirstChunkTimeout,
  HeadersTimeout,
  PoolTimeout,
  ProgressTimeout,
  ReasoningTimeout,
  RequestTimeout,
  TotalTimeout,
  WriteTimeout
} from "../TimeoutError.js"
import * as TimeoutPolicy from "../TimeoutPolicy.js"
import type { Kind, Phase } from "./feed.js"

const millisOf = (policy: TimeoutPolicy.TimeoutPolicy, field: TimeoutPolicy.Field): number | undefined => {
  const limit = TimeoutPolicy.limit(policy, field)
  return Option.isSome(limit) ? Duration.toMillis(limit.value) : undefined
}

/**
 * The limits of one stream in millis; `undefined` is no limit.
 *
 * @internal
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
 * stream has everything else.
 *
 * @internal
 */
export const limitsOf = (policy: TimeoutPolicy.TimeoutPolicy, kind: Kind): Limits => {
  const chunk = millisOf(policy, "chunk")
  return kind === "batch"
    ? {
      pool: millisOf(policy, "pool"),
      connect: millisOf(policy, "connect"),
      write: millisOf(policy, "write"),
      headers: millisOf(policy, "headers"),
      request: millisOf(policy, "request"),
      firstChunk: undefined,
      chunk: undefined,
      progress: undefined,
      reasoning: undefined,
      total: undefined,
      minRate: undefined
    }
    : {
      pool: millisOf(policy, "pool"),
      connect: millisOf(policy, "connect"),
      write: millisOf(policy, "write"),
      // Waiting for headers is upstream silence too: without a `headers` limit, `chunk` bounds it.
      headers: millisOf(policy, "headers") ?? chunk,
      request: undefined,
      firstChunk: millisOf(policy, "firstChunk"),
      chunk,
      progress: millisOf(policy, "progress"),
      reasoning: millisOf(policy, "reasoning"),
      total: millisOf(policy, "total"),
      minRate: Option.match(TimeoutPolicy.minRate(policy), {
        onNone: () => undefined,
        onSome: (rate) => ({ events: rate.events, window: Math.max(1, Duration.toMillis(rate.per)) })
      })
    }
}

/**
 * What may come due: a limit, or the heartbeat (not a limit: a keepalive of the stream's own).
 *
 * @internal
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

const timeouts = {
  pool: PoolTimeout,
  connect: ConnectTimeout,
  write: WriteTimeout,
  headers: HeadersTimeout,
  request: RequestTimeout,
  firstChunk: FirstChunkTimeout,
  chunk: ChunkTimeout,
  progress: ProgressTimeout,
  reasoning: ReasoningTimeout,
  total: TotalTimeout
} as const

/**
 * The error a limit fails the stream with.
 *
 * @internal
 */
export const timeout = (which: Exclude<Deadline, "heartbeat" | "minRate">, details: TimeoutDetails): GuardError => {
  const Timeout = timeouts[which] as new(details: TimeoutDetails, disableValidation: boolean) => GuardError
  return new Timeout(details, true)
}
