/**
 * One structured log line per stream (or batch request) end: who, where, how it ended, and how
 * much flowed. No keys, no prompt or completion text.
 *
 * @since 0.1.0
 */
import { Context, Effect, Layer } from "effect"
import type { Attempt } from "./Attempt.js"
import type { Delivered } from "./Delivered.js"
import type { DisconnectPolicy } from "./DisconnectPolicy.js"

/**
 * @since 0.1.0
 * @category models
 */
export interface Record {
  readonly requestId: string
  readonly endpoint: string
  readonly profile: string
  /** The upstream that served the request (or, when none did, the last one tried). */
  readonly upstream: string
  readonly model: string
  readonly stream: boolean
  /** A stream outcome (`done`, `chunk_timeout`, ...), or `interrupted` when the client left. */
  readonly outcome: string
  /** The HTTP status the client got (200 once a stream started). */
  readonly status: number
  /** What a client disconnect did: `cancel` (upstream aborted) or `drain`. Absent when it stayed. */
  readonly disconnect?: DisconnectPolicy | undefined
  /** Why the gateway ended the stream itself, if it did: `shutdown`. */
  readonly endedBy?: string | undefined
  /** From the guard's count (as the metrics), for streams: from when the upstream call began. */
  readonly ttfcMs: number | undefined
  readonly chunks: number
  /**
   * The upstream's pings, for streams: the dialect's keepalives (an SSE comment, Anthropic `ping`,
   * a Responses `keepalive`), not its lifecycle frames (`message_start`, OpenAI's role chunk) nor
   * the gateway's own keep-alive comments.
   */
  readonly keepalives?: number | undefined
  readonly bytes: number
  readonly durationMs: number
  /** How many upstream attempts the request made (fallbacks and hedges included). */
  readonly attempts?: number | undefined
  /** Every attempt, in the order they started, when there was more than one. */
  readonly tried?: ReadonlyArray<Attempt> | undefined
  /** What the client was sent, for streams: content events, characters and tokens. */
  readonly usage?: Delivered | undefined
  /** The error's message for failed outcomes (never holds keys or prompt text). */
  readonly error?: string | undefined
}

/**
 * Which request a line is about, known before it is relayed.
 *
 * @since 0.1.0
 * @category models
 */
export type Origin = Pick<Record, "requestId" | "endpoint" | "profile" | "upstream" | "model">

/**
 * @since 0.1.0
 * @category models
 */
export interface Service {
  /** Writes one request's end line. */
  readonly ended: (record: Record) => Effect.Effect<void>
}

/** The line's annotations: the record's fields that are set. */
const annotationsOf = (record: Record): globalThis.Record<string, unknown> => {
  const annotations: globalThis.Record<string, unknown> = {}
  for (const key in record) {
    const value = record[key as keyof Record]
    if (value !== undefined) annotations[key] = value
  }
  return annotations
}

/**
 * @since 0.1.0
 * @category services
 */
export class StreamLog extends Context.Service<StreamLog, Service>()("gateway/StreamLog") {
  /** Writes the line through the Effect logger (JSON in `main.ts`), annotated with the record. */
  static readonly layer: Layer.Layer<StreamLog> = Layer.succeed(
    StreamLog,
    StreamLog.of({
      ended: (record) => Effect.logInfo("stream ended").pipe(Effect.annotateLogs(annotationsOf(record)))
    })
  )
}
