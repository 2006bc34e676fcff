/**
 * Writing events as SSE: one writer for every dialect that carries JSON in SSE frames, which differ
 * only in the `event:` name a payload goes under and in what their done signal looks like.
 *
 * @internal
 */
import type * as StreamEvent from "../../StreamEvent.js"

/**
 * One SSE event: an `event:` line when a type is given, the data (one `data:` line per line of
 * it), and the blank line.
 *
 * @internal
 */
export const sseEvent = (type: string | undefined, data: string): string => {
  const head = type === undefined ? "" : `event: ${type}\n`
  // JSON.stringify never writes raw line breaks, so JSON data takes the one-line path.
  if (!data.includes("\n") && !data.includes("\r")) return `${head}data: ${data}\n\n`
  return `${head}data: ${data.split(/\r\n|\r|\n/).join("\ndata: ")}\n\n`
}

/**
 * The SSE comment written for a keepalive without payload.
 *
 * @internal
 */
export const keepAliveComment = ": keep-alive\n\n"

/**
 * `encode` for a dialect of JSON payloads in SSE frames. A keepalive without payload is a comment,
 * a done without payload is `done`; every payload (an error's too) is its JSON under the event name
 * `eventOf` gives it (none: a bare `data:` line).
 *
 * @internal
 */
export const sseEncoder = <A>(options: {
  readonly eventOf: (payload: A | unknown) => string | undefined
  readonly done: string
}) =>
(event: StreamEvent.StreamEvent<A>): string => {
  switch (event._tag) {
    case "ErrorSignal":
      return sseEvent(options.eventOf(event.payload), JSON.stringify(event.payload))
    case "Done":
      if (event.value === undefined) return options.done
      break
    case "Keepalive":
      if (event.value === undefined) return keepAliveComment
  }
  return sseEvent(options.eventOf(event.value), JSON.stringify(event.value))
}
