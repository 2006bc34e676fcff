/**
 * A provider's wire dialect: how its response bytes mean content, keepalive, done or error, and
 * how to write those events back as bytes. Everything here is synchronous and plain; each Effect
 * line's `Dialect` adds `decode`, the same decoding over its own `Stream`.
 *
 * @since 0.1.0
 */
import type * as StreamEvent from "../StreamEvent.js"
import type { DecodeFailure } from "./ProtocolError.js"

/**
 * The names of a timeout policy's fields (each line's `TimeoutPolicy` has these), as a stream kind
 * lifts them (`StreamKind.unbounded`).
 *
 * @since 0.1.0
 * @category models
 */
export type PolicyField =
  | "connect"
  | "write"
  | "headers"
  | "pool"
  | "request"
  | "firstChunk"
  | "chunk"
  | "progress"
  | "reasoning"
  | "total"
  | "minRate"

/**
 * The names every package shares (see ARCHITECTURE.md).
 *
 * @since 0.1.0
 * @category models
 */
export type DialectName = "openaiChat" | "openaiResponses" | "anthropic" | "ollama" | "gemini" | "mcp" | "sse"

/**
 * @since 0.1.0
 * @category models
 */
export interface DecodeOptions {
  /**
   * The largest single event (frame) accepted, in bytes. Default 1 MiB. In SSE an event's `data`,
   * `event` and `id` lines count, line ends included; comment lines and unknown fields count
   * nothing (a keepalive comment every few seconds never adds up), but no one line may be longer.
   */
  readonly maxEventBytes?: number | undefined
  /**
   * MCP only: the JSON-RPC id of our request. When set, only the response with this id ends the
   * stream; otherwise any JSON-RPC response does (a POST carries one request).
   */
  readonly requestId?: string | number | undefined
  /**
   * MCP only: the stream answers a `subscriptions/listen` request (2026-07-28), so every
   * notification on it is content, not only progress. `streamKind` sets it from the request.
   */
  readonly listen?: boolean | undefined
}

/**
 * The request a stream answers, as a dialect reads it to tell what kind of stream it opens.
 *
 * @since 0.1.0
 * @category models
 */
export interface StreamRequest {
  /** The request's headers, names in lower case. */
  readonly headers: Readonly<Record<string, string | undefined>>
  /** The body as sent, when it is whole in memory (a JSON request's bytes or text). */
  readonly body?: Uint8Array | string | undefined
}

/**
 * A kind of stream that its request alone tells apart, and what changes for it: the limits that do
 * not bound it and how it decodes. The one place a dialect states such a rule; the client applies
 * it to every stream of the dialect.
 *
 * @since 0.1.0
 * @category models
 */
export interface StreamKind {
  /** The kind in the protocol's own words (`subscriptions/listen`). */
  readonly name: string
  /**
   * The profile's limits that do not bound this kind of stream: a stream that is long-lived by
   * design is bounded by liveness (`chunk`) and not by `progress` or `total`. The call's own
   * `policy` can still set them.
   */
  readonly unbounded: ReadonlyArray<PolicyField>
  /** Decode options this kind needs, under the call's own. */
  readonly decode: DecodeOptions
}

/**
 * The default `maxEventBytes`: 1 MiB.
 *
 * @since 0.1.0
 * @category constants
 */
export const defaultMaxEventBytes = 1024 * 1024

/**
 * One response's decoding state, for transports that read bytes themselves (a socket's data
 * callback): each call frames and classifies one network read synchronously, with no Effect per
 * read. Works for any split of the input; a returned failure ends decoding.
 *
 * @since 0.1.0
 * @category models
 */
export interface Decoder<A> {
  /** Frames one network read, appending its events to `out`; returns a failure to stop. */
  readonly push: (bytes: Uint8Array, out: Array<StreamEvent.StreamEvent<A>>) => DecodeFailure | undefined
  /** The bytes ended cleanly: appends what an implicit end means (Gemini's `Done`). */
  readonly end: (out: Array<StreamEvent.StreamEvent<A>>) => DecodeFailure | undefined
}

/**
 * An error to write in-band, in a dialect's own error shape (the gateway's mid-stream failure).
 * `type` is a StreamGuard outcome or a provider error type; extra fields are kept in the payload.
 *
 * @since 0.1.0
 * @category models
 */
export interface InBandError {
  readonly message: string
  readonly type: string
  readonly code?: string | number | null | undefined
  readonly [extra: string]: unknown
}

/**
 * Token counts a response reports: in usage objects, Anthropic's `message_delta`, Ollama's eval
 * counts, MCP's progress.
 *
 * @since 0.1.0
 * @category models
 */
export interface Usage {
  readonly inputTokens: number
  /** The output tokens so far, those of the frame being written included. */
  readonly outputTokens: number
}

/**
 * What a writer knows about the response it writes. Writers are pure: what changes while a
 * response is written (the time, the text and tokens so far, the Responses sequence number) comes
 * in with each call, so the caller keeps one response's state and the dialect keeps none.
 *
 * @since 0.1.0
 * @category models
 */
export interface ResponseMeta {
  /**
   * The response's id. A dialect whose ids carry a prefix (`chatcmpl-`, `resp_`, `msg_`) adds it
   * when it is missing, so one id serves every dialect.
   */
  readonly id?: string | undefined
  readonly model?: string | undefined
  /** Why generation stopped, in the dialect's own words (`stop`, `end_turn`, `STOP`). */
  readonly finishReason?: string | undefined
  /** When the response began, in epoch milliseconds (OpenAI's `created`, Ollama's durations). Default 0. */
  readonly created?: number | undefined
  /** When this frame is written, in epoch milliseconds (Ollama's `created_at`). Default `created`. */
  readonly now?: number | undefined
  /** The tokens so far, for usage and counts. Default 0 and 0. */
  readonly usage?: Usage | undefined
  /**
   * The whole text so far, for the frames and bodies that repeat it (Responses' `*.done` events
   * and `response.completed`, MCP's result, every `responseBody`). Default empty.
   */
  readonly text?: string | undefined
  /**
   * Responses only: the `sequence_number` of the first frame a writer returns; the others follow
   * it, so the next call starts that many frames later. Without it, frames carry no number.
   */
  readonly sequence?: number | undefined
  /** OpenAI Chat only: the request's `stream_options.include_usage` (`usage: null` per chunk, a usage chunk last). */
  readonly includeUsage?: boolean | undefined
  /** MCP only: the JSON-RPC id to answer. */
  readonly requestId?: string | number | null | undefined
  /** MCP only: the request's `_meta.progressToken`, which progress notifications carry. Default `requestId`. */
  readonly progressToken?: string | number | undefined
}

/**
 * A dialect. `A` is one decoded frame's payload: the parsed JSON object the provider sent
 * (an OpenAI chunk, an Anthropic event, a JSON-RPC message, ...). Payloads are typed loosely
 * with interfaces and not validated per frame: this is the hot path.
 *
 * @since 0.1.0
 * @category models
 */
export interface Dialect<A = unknown> {
  readonly name: DialectName
  /** How frames are delimited on the wire. */
  readonly framing: "sse" | "ndjson"
  /** The response `content-type` a provider sends for a stream in this dialect. */
  readonly contentType: string
  /**
   * Bytes to events, incrementally, driven by hand: a fresh `Decoder` per response. Works for any
   * split of the input into network reads. Returns `ProtocolError` (bad JSON, bad framing) or
   * `EventTooLarge` as data; never throws. A stream that ends without the dialect's done signal
   * simply ends: the guard reports it as `UnexpectedEnd` (dialects whose done is implicit, like
   * Gemini's `finishReason`, emit `Done` themselves at the end).
   */
  readonly decoder: (options?: DecodeOptions) => Decoder<A>
  /**
   * One event to its wire text, framing included (`data: {...}\n\n`, a JSON line). A keepalive
   * without a payload is an SSE comment (`: keep-alive\n\n`) or, in NDJSON, the empty string.
   * An `ErrorSignal` is written from its `payload`. A `Done` without payload is the dialect's
   * sentinel (`data: [DONE]`, `message_stop`), or nothing where the end is implicit (Gemini: the
   * body ends) or already written (Ollama: the `done` line that carried content).
   * Decoding what `encode` wrote gives the events back (their `bytes` aside: the wire's sizes).
   */
  readonly encode: (event: StreamEvent.StreamEvent<A>) => string
  /**
   * The assistant text a payload adds (text deltas only: not thinking, tool-call arguments or
   * progress), or `undefined` when it adds none.
   */
  readonly text: (value: A) => string | undefined
  /**
   * Whether an event is a keepalive in the wire sense: an SSE comment (a `Keepalive` without
   * value) or the provider's own ping (Anthropic `ping`, Responses `keepalive`). Lifecycle frames
   * such as `message_start` are `Keepalive` events too, but not pings.
   */
  readonly isPing: (event: StreamEvent.StreamEvent<A>) => boolean
  /**
   * Whether a content payload is reasoning (thinking) and not the answer: OpenAI `reasoning` and
   * `reasoning_content` deltas, Anthropic `thinking_delta` (and the thinking block's
   * `signature_delta`), Responses `response.reasoning_*` deltas, Gemini thought parts, Ollama
   * `thinking`. A payload that also carries answer content (text, a refusal, a tool call) is not.
   * What the guard's `reasoning` limit reads, asked only until the answer begins.
   */
  readonly isReasoning: (value: A) => boolean
  /**
   * A content event that adds `text`, in this dialect's shape. This and the writers below are
   * what a simulator or a relay answering itself writes: pure functions of their arguments.
   */
  readonly textEvent: (text: string, meta?: ResponseMeta) => StreamEvent.StreamEvent<A>
  /**
   * The frames a strict client expects before the first content event (Anthropic
   * `message_start` and `content_block_start`, the Responses lifecycle, OpenAI's role chunk);
   * empty where the dialect has none.
   */
  readonly opening: (meta?: ResponseMeta) => ReadonlyArray<StreamEvent.StreamEvent<A>>
  /** The frames that close a successful response, ending with the done signal. */
  readonly closing: (meta?: ResponseMeta) => ReadonlyArray<StreamEvent.StreamEvent<A>>
  /**
   * This dialect's keepalive: Anthropic's `ping` event, the Responses `keepalive` event, an SSE
   * comment elsewhere (nothing at all in NDJSON).
   */
  readonly ping: (meta?: ResponseMeta) => StreamEvent.StreamEvent<A>
  /**
   * An in-band error event in this dialect's shape: `encode` it to write it. `meta` gives what
   * some shapes carry besides the error (the Responses sequence number, MCP's request id).
   */
  readonly errorEvent: (error: InBandError, meta?: ResponseMeta) => StreamEvent.StreamEvent<never>
  /** The provider's non-streaming answer for `meta.text`: a whole completion, message or result. */
  readonly responseBody: (meta?: ResponseMeta) => unknown
  /** The provider's JSON error body for an HTTP error status, typed the way it types that status. */
  readonly httpErrorBody: (status: number, message: string, meta?: ResponseMeta) => unknown
  /**
   * The kind of stream `request` opens when it is not the dialect's ordinary one (MCP's
   * `subscriptions/listen`); `undefined`, or no function, for an ordinary stream.
   */
  readonly streamKind?: ((request: StreamRequest) => StreamKind | undefined) | undefined
}

/**
 * Whether an event ends the stream (`Done` or `ErrorSignal`).
 *
 * @since 0.1.0
 * @category guards
 */
export const isTerminal = <A>(event: StreamEvent.StreamEvent<A>): boolean =>
  event._tag === "Done" || event._tag === "ErrorSignal"
