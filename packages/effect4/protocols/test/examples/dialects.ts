/**
 * The `@streamguard/protocols` README's example: bytes to events and back, no HTTP
 * (`../Examples.test.ts` runs it).
 */
import { Dialects } from "@streamguard/protocols"
import { Stream } from "effect"

const bodyBytes = Stream.make(new TextEncoder().encode("event: ping\ndata: {\"type\": \"ping\"}\n\n"))

// #region protocols
export const events = Dialects.anthropic.decode(bodyBytes, { maxEventBytes: 1024 * 1024 })
export const wire = Dialects.openaiChat.encode(Dialects.openaiChat.textEvent("hello"))
export const dialect = Dialects.detect({ contentType: "text/event-stream", path: "/v1/messages" }) // Result
// #endregion
