import type * as StreamEvent from "@streamguard/core/StreamEvent"
import type { Dialect } from "@streamguard/protocols/Dialect"
import * as Dialects from "@streamguard/protocols/Dialects"
import type { SimDialect } from "./render.js"

/** The protocols package's dialects: the simulator writes only with their encoders. */
export const dialects: Record<SimDialect, Dialect<any>> = {
  openaiChat: Dialects.openaiChat,
  openaiResponses: Dialects.openaiResponses,
  anthropic: Dialects.anthropic,
  ollama: Dialects.ollama,
  mcp: Dialects.mcp
}

const encoder = new TextEncoder()

/** The one place bytes are made: an event through its dialect's `encode`, as UTF-8. */
export const encode = (dialect: SimDialect, event: StreamEvent.StreamEvent<unknown>): Uint8Array =>
  encoder.encode(dialects[dialect].encode(event))
