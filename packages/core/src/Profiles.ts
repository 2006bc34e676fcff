/**
 * The request profiles: one timeout policy per kind of request, as Layers.
 *
 * @since 0.1.0
 */
import type * as Layer from "effect/Layer"
import * as RequestProfile from "./RequestProfile.js"
import * as TimeoutPolicy from "./TimeoutPolicy.js"

/**
 * The built-in policies, by profile name.
 *
 * - `research` and `mcp`: long agent runs and tool chains. Connect 10 s, write 10 s, chunk 30 s,
 *   no total, no pool limit.
 * - `chat`: an interactive answer. Connect 10 s, write 10 s, chunk 30 s, total 120 s.
 * - `batch`: a non-streaming request. Connect 10 s, write 10 s, request 60 s.
 *
 * @since 0.1.0
 * @category constants
 */
export const builtins = {
  research: TimeoutPolicy.make({ connect: "10 seconds", write: "10 seconds", chunk: "30 seconds" }),
  mcp: TimeoutPolicy.make({ connect: "10 seconds", write: "10 seconds", chunk: "30 seconds" }),
  chat: TimeoutPolicy.make({ connect: "10 seconds", write: "10 seconds", chunk: "30 seconds", total: "120 seconds" }),
  batch: TimeoutPolicy.make({ connect: "10 seconds", write: "10 seconds", request: "60 seconds" })
} as const satisfies Record<string, TimeoutPolicy.TimeoutPolicy>

/**
 * @since 0.1.0
 * @category models
 */
export type BuiltinName = keyof typeof builtins

/**
 * Research agents: chunk 30 s, no total.
 *
 * @since 0.1.0
 * @category layers
 */
export const research: Layer.Layer<RequestProfile.RequestProfile> = RequestProfile.layer("research", builtins.research)

/**
 * MCP tool chains: chunk 30 s, no total.
 *
 * @since 0.1.0
 * @category layers
 */
export const mcp: Layer.Layer<RequestProfile.RequestProfile> = RequestProfile.layer("mcp", builtins.mcp)

/**
 * Simple chat: chunk 30 s, total 120 s.
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
