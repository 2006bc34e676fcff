/**
 * The soak client's reading of a streamed answer in any of the gateway's three SSE dialects: a
 * minimal line split and `JSON.parse` per data line (the client must stay cheap next to the
 * gateway it loads), keeping the content, whether the dialect's done arrived, the in-band error's
 * type, and the keep-alive comments.
 *
 * @since 0.1.0
 */

interface Payload {
  readonly type?: unknown
  readonly code?: unknown
  readonly delta?: unknown
  readonly error?: unknown
  readonly choices?: ReadonlyArray<{ readonly delta?: { readonly content?: unknown } }>
}

const errorType = (payload: Payload): string | undefined => {
  const error = payload.error
  if (typeof error === "object" && error !== null) {
    const type = (error as { type?: unknown; code?: unknown }).type ?? (error as { code?: unknown }).code
    return typeof type === "string" ? type : "error"
  }
  if (payload.type === "error") return typeof payload.code === "string" ? payload.code : "error"
  return undefined
}

const contentOf = (payload: Payload): string | undefined => {
  const chat = payload.choices?.[0]?.delta?.content
  if (typeof chat === "string") return chat
  if (payload.type === "response.output_text.delta" && typeof payload.delta === "string") return payload.delta
  if (payload.type === "content_block_delta") {
    const text = (payload.delta as { text?: unknown } | undefined)?.text
    if (typeof text === "string") return text
  }
  return undefined
}

/**
 * One stream's reader: `feed` it the body's text as it arrives.
 *
 * @since 0.1.0
 * @category reading
 */
export class SseReader {
  /** The content read so far, concatenated. */
  content = ""
  /** Content events read. */
  chunks = 0
  /** SSE comments read (the gateway's keep-alives and the upstream's). */
  comments = 0
  /** The dialect's done arrived: `[DONE]`, `response.completed` or `message_stop`. */
  done = false
  /** The in-band error event's type, if one arrived. */
  error: string | undefined = undefined
  private rest = ""

  /**
   * Reads every complete line of `text` (the rest waits for the next call).
   */
  feed(text: string): void {
    const buffer = this.rest.length === 0 ? text : this.rest + text
    let start = 0
    let end = buffer.indexOf("\n", start)
    while (end !== -1) {
      this.line(buffer.charCodeAt(end - 1) === 13 ? buffer.slice(start, end - 1) : buffer.slice(start, end))
      start = end + 1
      end = buffer.indexOf("\n", start)
    }
    this.rest = start === buffer.length ? "" : buffer.slice(start)
  }

  private line(line: string): void {
    if (line.startsWith(":")) {
      this.comments++
      return
    }
    if (!line.startsWith("data:")) return
    const data = line.slice(line.charCodeAt(5) === 32 ? 6 : 5)
    if (data === "[DONE]") {
      this.done = true
      return
    }
    let payload: Payload
    try {
      payload = JSON.parse(data) as Payload
    } catch {
      this.error ??= "unparsable_event"
      return
    }
    if (typeof payload !== "object" || payload === null) return
    const content = contentOf(payload)
    if (content !== undefined) {
      if (content.length > 0) {
        this.content += content
        this.chunks++
      }
      return
    }
    if (payload.type === "response.completed" || payload.type === "message_stop") {
      this.done = true
      return
    }
    const error = errorType(payload)
    if (error !== undefined) this.error ??= error
  }
}
