/**
 * Google Gemini streaming (`:streamGenerateContent?alt=sse`): `data: {...}` events with CRLF
 * line endings and no done sentinel.
 *
 * | frame | event |
 * | --- | --- |
 * | a candidate part with non-empty `text` (thought summaries included) or `functionCall`, `functionResponse`, `executableCode`, `codeExecutionResult`, `inlineData`, `fileData` | `Chunk` (reasoning when every such part is a `thought`) |
 * | other frames (empty text, `thoughtSignature` only, usage only) | `Keepalive` (payload kept) |
 * | `finishReason` `STOP`, `MAX_TOKENS`, ... | no event of its own: `Done` at EOF |
 * | `finishReason` `SAFETY`, `RECITATION`, `BLOCKLIST`, `PROHIBITED_CONTENT`, `SPII`, `IMAGE_SAFETY`, `MALFORMED_FUNCTION_CALL`, `LANGUAGE`; `promptFeedback.blockReason` | `ErrorSignal` (the reason) |
 * | a top-level `error` | `ErrorSignal` (`error.status`, else `String(error.code)`) |
 *
 * Done is implicit: the stream is done when it ends cleanly after a frame with a
 * `finishReason`, so `decode` emits `Done` (no payload, 0 bytes) at EOF; EOF before any
 * `finishReason` is a truncation. Without `alt=sse` the endpoint streams one JSON array
 * (`[{...}\n,\r\n{...}\n]`): `decode` reads it too, element by element as each completes (each
 * bounded by `maxEventBytes`, never the whole array held), telling the forms apart by the body's
 * first byte.
 *
 * @since 0.1.0
 */
import * as Kernel from "@streamguard/kernel/protocols/Gemini"
import type { Dialect } from "./Dialect.js"
import { withDecode } from "./internal/decodeStream.js"

export type {
  /**
   * One streamed `GenerateContentResponse`, typed loosely: only what the dialect reads.
   *
   * @since 0.1.0
   * @category models
   */
  GenerateContentResponse,
  /**
   * @since 0.1.0
   * @category models
   */
  Part
} from "@streamguard/kernel/protocols/Gemini"

export {
  /**
   * The finish reasons that mean the answer was blocked or broken, not finished.
   *
   * @since 0.1.0
   * @category constants
   */
  blockingFinishReasons,
  /**
   * Whether a frame carries content.
   *
   * @since 0.1.0
   * @category predicates
   */
  hasContent,
  /**
   * Whether a frame is reasoning: its content parts are all thought summaries (`thought: true`).
   *
   * @since 0.1.0
   * @category predicates
   */
  isReasoning,
  /**
   * The JSON-array form of a stream (`streamGenerateContent` without `alt=sse`), as Google writes it:
   * `element(event, first)` is what goes on the wire for one event (the `[` before the first, a
   * `,` line between), `close` ends the array. Keepalives without a payload and `Done` write nothing:
   * the array form has no pings and ends with `close`.
   *
   * @since 0.1.0
   * @category encoding
   */
  jsonArray
} from "@streamguard/kernel/protocols/Gemini"

/**
 * The Gemini dialect (SSE form, `alt=sse`).
 *
 * @since 0.1.0
 * @category dialects
 */
export const gemini: Dialect<Kernel.GenerateContentResponse> = withDecode(Kernel.gemini)
