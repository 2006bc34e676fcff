/**
 * A stream's limits in millis, read once from its policy, and the timeout each one fails with.
 *
 * @internal
 */
import type { Deadline, Kind, Limits } from "@streamguard/kernel/Limits"
import * as KernelLimits from "@streamguard/kernel/Limits"
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
import type * as TimeoutPolicy from "../TimeoutPolicy.js"
import { millisOf } from "./policy.js"

export type { Deadline, Limits }

/**
 * The limits that apply to a stream of `kind` (the kernel's rule), from its policy.
 *
 * @internal
 */
export const limitsOf = (policy: TimeoutPolicy.TimeoutPolicy, kind: Kind): Limits =>
  KernelLimits.limitsOf(millisOf(policy), kind)

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
