/**
 * The built-in request profiles: one timeout policy per kind of request, as Layers. Fixed in code:
 * they read no environment (`ProfileConfig.layer` starts from them and reads it).
 *
 * @since 0.1.0
 */
import * as Kernel from "@streamguard/kernel/Profiles"
import type * as Layer from "effect/Layer"
import { fromMillis } from "./internal/policy.js"
import * as RequestProfile from "./RequestProfile.js"
import type * as TimeoutPolicy from "./TimeoutPolicy.js"

/**
 * @since 0.1.0
 * @category models
 */
export type BuiltinName = Kernel.BuiltinName

/**
 * The built-in policies, by profile name (the kernel's, shared by every line). Every profile
 * bounds a non-streaming call with `request` (its headers and body together); a streamed response
 * is bounded by the stream limits instead, never by `request`.
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
 * @since 0.1.0
 * @category constants
 */
export const builtins: { readonly [K in BuiltinName]: TimeoutPolicy.TimeoutPolicy } = {
  research: fromMillis(Kernel.builtins.research),
  mcp: fromMillis(Kernel.builtins.mcp),
  chat: fromMillis(Kernel.builtins.chat),
  batch: fromMillis(Kernel.builtins.batch)
}

/**
 * The built-in profile names, in the order they are listed to operators.
 *
 * @since 0.1.0
 * @category constants
 */
export const builtinNames: readonly ["research", "mcp", "chat", "batch"] = Kernel.builtinNames

/**
 * Research agents: chunk 30 s, progress 10 min, no total.
 *
 * @since 0.1.0
 * @category layers
 */
export const research: Layer.Layer<RequestProfile.RequestProfile> = RequestProfile.layer("research", builtins.research)

/**
 * MCP tool chains: chunk 30 s, progress 10 min, no total.
 *
 * @since 0.1.0
 * @category layers
 */
export const mcp: Layer.Layer<RequestProfile.RequestProfile> = RequestProfile.layer("mcp", builtins.mcp)

/**
 * Simple chat: chunk 30 s, total 120 s (request 60 s when not streamed).
 *
 * @since 0.1.0
 * @category layers
 */
export const chat: Layer.Layer<RequestProfile.RequestProfile> = RequestProfile.layer("chat", builtins.chat)

/**
 * Batch requests: request 60 s.
 *
 * @since 0.1.0
 * @category layers
 */
export const batch: Layer.Layer<RequestProfile.RequestProfile> = RequestProfile.layer("batch", builtins.batch)
