/**
 * The guard's own failures as this line's error classes: what the kernel's engine is given to
 * make them.
 *
 * @internal
 */
import type { GuardErrors } from "@streamguard/kernel/GuardErrors"
import type * as Timeouts from "@streamguard/kernel/Timeouts"
import type { GuardError } from "../GuardError.js"
import { StreamAborted, UnexpectedEnd, UpstreamErrorSignal } from "../GuardError.js"
import type { TimeoutDetails, TimeoutError } from "../TimeoutError.js"
import {
  ChunkTimeout,
  ConnectTimeout,
  FirstChunkTimeout,
  HeadersTimeout,
  PoolTimeout,
  ProgressTimeout,
  ReasoningTimeout,
  RequestTimeout,
  SlowStream,
  TotalTimeout,
  WriteTimeout
} from "../TimeoutError.js"

/**
 * What the guard decides a stream ends with: a timeout of any limit, or one of its own failures.
 *
 * @internal
 */
export type Decision = GuardError | TimeoutError

const timeouts: {
  readonly [K in Timeouts.Kind]: new(details: TimeoutDetails, options: { readonly disableChecks: boolean }) => Decision
} = {
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
}

const unchecked = { disableChecks: true }

/**
 * The errors the engine makes. The kernel built their data, so the schemas need not check it again.
 *
 * @internal
 */
export const errors: GuardErrors<Decision> = {
  timeout: (kind, details) => new timeouts[kind](details, unchecked),
  slowStream: (details) => new SlowStream(details, unchecked),
  upstreamErrorSignal: (data) => new UpstreamErrorSignal(data, unchecked),
  unexpectedEnd: (data) => new UnexpectedEnd(data, unchecked),
  streamAborted: (data) => new StreamAborted(data, unchecked)
}
