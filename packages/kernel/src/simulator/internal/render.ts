/**
 * What one response says, as `StreamEvent`s in a dialect's payloads: the renderer chooses the
 * frames, the dialect's own writers write them.
 */
import type { Dialect, ResponseMeta } from "../../protocols/Dialect.js"
import * as Dialects from "../../protocols/Dialects.js"
import * as Mcp from "../../protocols/Mcp.js"
import * as StreamEvent from "../../StreamEvent.js"

/** The dialects the simulator serves. */
export type SimDialect = "openaiChat" | "openaiResponses" | "anthropic" | "ollama" | "mcp" | "gemini"

type Event = StreamEvent.StreamEvent<unknown>

/** What the renderer needs to know about the request it answers. */
export interface Meta {
  readonly id: string
  readonly model: string
  readonly includeUsage: boolean
  /** MCP: the JSON-RPC id to answer and the client's progress token, if it sent one. */
  readonly requestId: string | number | null
  readonly progressToken: string | number | undefined
  /** Epoch milliseconds, from the clock of whoever plays the response. */
  readonly now: () => number
  readonly inputTokens: number
}

/**
 * One response's frames, as `StreamEvent`s for the dialect's `encode`. The shapes are the
 * dialect's own writers'; the renderer decides what to send and keeps what changes while it is
 * sent (the time, the text so far, the Responses sequence number). Used by one response only.
 */
export interface Renderer {
  readonly opening: () => ReadonlyArray<Event>
  readonly chunk: (text: string) => ReadonlyArray<Event>
  readonly keepalive: () => ReadonlyArray<Event>
  readonly done: () => ReadonlyArray<Event>
  readonly error: (errorType: string | undefined, message: string | undefined) => ReadonlyArray<Event>
  /** The non-streaming response body for the text so far. */
  readonly json: () => unknown
  /** The text written so far. */
  readonly text: () => string
}

/** The provider's own default error for an in-band failure. */
const defaultErrorType = (dialect: string): string => {
  switch (dialect) {
    case "anthropic":
      return "overloaded_error"
    case "mcp":
      return "-32603"
    default:
      return "server_error"
  }
}

/** The message a provider sends with its default error. */
const defaultMessage = (dialect: string): string => {
  switch (dialect) {
    case "anthropic":
      return "Overloaded"
    case "mcp":
      return "Internal error"
    case "openaiChat":
    case "openaiResponses":
    case "ollama":
      return "The server had an error while processing your request. Sorry about that!"
    default:
      return "The upstream failed."
  }
}

/** A renderer for one response in `dialect`. */
export const make = (dialect: Dialect<any>, meta: Meta): Renderer => {
  const texts: Array<string> = []
  let sequence = 0
  const fixed: ResponseMeta = {
    id: meta.id,
    model: meta.model,
    created: meta.now(),
    includeUsage: meta.includeUsage,
    requestId: meta.requestId,
    progressToken: meta.progressToken
  }
  /** What the writers need now; the text so far only where a frame repeats it (joining it costs). */
  const current = (withText: boolean): ResponseMeta => ({
    ...fixed,
    now: meta.now(),
    usage: { inputTokens: meta.inputTokens, outputTokens: texts.length },
    sequence,
    ...(withText ? { text: texts.join("") } : {})
  })
  /** The frames go out in this order: the next ones are numbered after them. */
  const sent = (events: ReadonlyArray<Event>): ReadonlyArray<Event> => {
    sequence += events.length
    return events
  }
  // MCP sends progress only to a client that asked for it with a progress token; otherwise the
  // tokens go out as log notifications, which servers send unasked. The simulator still counts
  // them as the content it wrote (its records' `chunks`), though MCP readers take logs for pings.
  const logsText = dialect.name === "mcp" && meta.progressToken === undefined
  return {
    opening: () => sent(dialect.opening(current(false))),
    chunk: (text) => {
      texts.push(text)
      return sent([
        logsText ?
          StreamEvent.Chunk({ value: Mcp.logMessage(text), bytes: 0 }) :
          dialect.textEvent(text, current(false))
      ])
    },
    keepalive: () => sent([dialect.ping(current(false))]),
    done: () => sent(dialect.closing(current(true))),
    error: (errorType, message) => {
      const type = errorType ?? defaultErrorType(dialect.name)
      const code = Number(type)
      return sent([
        dialect.errorEvent({
          type,
          message: message ?? defaultMessage(dialect.name),
          // MCP's error codes are numbers: a numeric type is the code.
          ...(dialect.name === "mcp" && Number.isFinite(code) ? { code } : {})
        }, current(false))
      ])
    },
    json: () => dialect.responseBody(current(true)),
    text: () => texts.join("")
  }
}

/** The message of the simulator's HTTP error answer for a status. */
const httpErrorMessage = (status: number): string =>
  status === 429 ?
    "Rate limit reached for requests. Please try again later." :
    `The simulator answered with HTTP ${status}, as the scenario asked.`

/** The provider's JSON error body for an HTTP error status, in the dialect's shape. */
export const httpErrorBody = (
  dialect: SimDialect | Dialect<any>,
  status: number,
  requestId: string | number | null,
  message: string = httpErrorMessage(status)
): unknown =>
  (typeof dialect === "string" ? Dialects.byName[dialect] : dialect).httpErrorBody(status, message, { requestId })
