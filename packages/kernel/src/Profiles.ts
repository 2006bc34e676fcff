/**
 * The built-in request profiles as data: one policy (in millis) per kind of request. Each line's
 * `Profiles` module makes its layers from these.
 *
 * @since 0.1.0
 */
import type * as Policy from "./Policy.js"

const second = 1_000
const minute = 60_000

/**
 * The built-in policies, by profile name. Every profile bounds a non-streaming call with
 * `request` (its headers and body together); a streamed response is bounded by the stream limits
 * instead, never by `request`.
 *
 * - `research` and `mcp`: long agent runs and tool chains. Connect 10 s, write 10 s, chunk 30 s,
 *   progress 10 min, no total, request 5 min, no pool limit. `progress` is what ends a stream that
 *   only sends keepalives: reasoning models at high effort and long tool calls go several minutes
 *   without content (a provider's pings keep `chunk` happy meanwhile), so 10 minutes leaves about
 *   twice that. `request` 5 min is Node's own default for a response's headers and body (undici's
 *   `headersTimeout` and `bodyTimeout`).
 * - `chat`: an interactive answer. Connect 10 s, write 10 s, chunk 30 s, total 120 s, request 60 s.
 * - `batch`: a non-streaming request. Connect 10 s, write 10 s, request 60 s.
 *
 * No built-in sets `minRate` or `reasoning`: both are off by default.
 *
 * @since 0.1.0
 * @category constants
 */
export const builtins = {
  research: {
    connect: 10 * second,
    write: 10 * second,
    chunk: 30 * second,
    progress: 10 * minute,
    request: 5 * minute
  },
  mcp: { connect: 10 * second, write: 10 * second, chunk: 30 * second, progress: 10 * minute, request: 5 * minute },
  chat: { connect: 10 * second, write: 10 * second, chunk: 30 * second, total: 120 * second, request: 60 * second },
  batch: { connect: 10 * second, write: 10 * second, request: 60 * second }
} as const satisfies Record<string, Policy.Policy>

/**
 * @since 0.1.0
 * @category models
 */
export type BuiltinName = keyof typeof builtins

/**
 * The built-in profile names, in the order they are listed to operators.
 *
 * @since 0.1.0
 * @category constants
 */
export const builtinNames: readonly ["research", "mcp", "chat", "batch"] = ["research", "mcp", "chat", "batch"]

/**
 * @since 0.1.0
 * @category guards
 */
export const isBuiltin = (name: string): name is BuiltinName => Object.prototype.hasOwnProperty.call(builtins, name)
