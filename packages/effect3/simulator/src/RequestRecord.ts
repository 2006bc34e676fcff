/**
 * What the simulator saw and did for one request: the witness that a client closed its
 * connection and that generation stopped when it did. A `Tracker` keeps one request's record
 * while its response runs.
 *
 * @since 0.1.0
 */
import * as Schema from "effect/Schema"
import type { Frame } from "./Simulation.js"

/**
 * How a response ended, from the server's side.
 *
 * - `pending`: still running.
 * - `ended`: the server finished the response (whatever the scenario sent: done, an error
 *   event, or a cut-short end).
 * - `client_closed`: the connection closed before the response ended, by the client.
 * - `reset`: the scenario destroyed the socket.
 *
 * @since 0.1.0
 * @category models
 */
export const End = Schema.Literal("pending", "ended", "client_closed", "reset")

/**
 * @since 0.1.0
 * @category models
 */
export type End = typeof End.Type

/**
 * One request's record. Times are epoch milliseconds from the Effect `Clock`.
 *
 * @since 0.1.0
 * @category models
 */
export class RequestRecord extends Schema.Class<RequestRecord>("@streamguard/simulator/RequestRecord")({
  /** The `x-sim-request-id` request header when given (and unused), else generated. */
  id: Schema.String,
  dialect: Schema.String,
  method: Schema.String,
  path: Schema.String,
  model: Schema.String,
  /** The scenario as the request named it (header or model), `default` when it did not. */
  scenario: Schema.String,
  /** The scenario's name (`steady`, `stall-after`, `429`, `script`). */
  scenarioName: Schema.String,
  stream: Schema.Boolean,
  status: Schema.Number,
  startedAt: Schema.Number,
  /** When the response headers were handed to the server (null while they are held back). */
  headersAt: Schema.NullOr(Schema.Number),
  /** Writes handed to the socket (a `slow-drip` event counts once per piece). */
  writes: Schema.Number,
  /** Content events written (tokens, progress). */
  chunks: Schema.Number,
  bytes: Schema.Number,
  lastWriteAt: Schema.NullOr(Schema.Number),
  /** When the connection closed before the response ended (client abort, or a reset). */
  closedAt: Schema.NullOr(Schema.Number),
  /** When generation stopped: the response ended, failed, or its fiber was interrupted. */
  finishedAt: Schema.NullOr(Schema.Number),
  end: End,
  /** Writes the scenario attempted after the close. A zombie would make this grow. */
  writesAfterClose: Schema.Number
}) {
  /**
   * The connection closed early and generation stopped with no write after the close.
   *
   * @since 0.1.0
   */
  get stoppedAfterClose(): boolean {
    return this.closedAt !== null && this.finishedAt !== null && this.writesAfterClose === 0
  }

  /**
   * Milliseconds from the close to the end of generation, when both happened.
   *
   * @since 0.1.0
   */
  get stopLatencyMillis(): number | null {
    return this.closedAt !== null && this.finishedAt !== null ? Math.max(0, this.finishedAt - this.closedAt) : null
  }

  /**
   * The JSON shown at `GET /_sim/requests`: the fields plus the two derived ones.
   *
   * @since 0.1.0
   */
  toJSON(): Record<string, unknown> {
    return {
      ...Schema.encodeSync(RequestRecord)(this),
      stoppedAfterClose: this.stoppedAfterClose,
      stopLatencyMillis: this.stopLatencyMillis
    }
  }
}

/**
 * What is known when a request arrives.
 *
 * @since 0.1.0
 * @category models
 */
export interface Start {
  readonly id: string
  readonly dialect: string
  readonly method: string
  readonly path: string
  readonly model: string
  readonly scenario: string
  readonly scenarioName: string
  readonly stream: boolean
}

/**
 * One request's live record. Told from the response's fiber and from the socket's `close` event
 * (outside any fiber), so it is plain mutable state, read through `snapshot`.
 *
 * @since 0.1.0
 * @category models
 */
export interface Tracker {
  readonly id: string
  /** The response headers went out with this status. */
  readonly headers: (status: number) => void
  /** One write of a streamed response. */
  readonly write: (frame: Frame) => void
  /** A non-streaming answer: one write of the whole body. */
  readonly writeBody: (bytes: number, chunks: number) => void
  /** The connection closed before the response ended; the first call wins, none after `finish`. */
  readonly closed: () => void
  /** The scenario destroyed the socket. */
  readonly reset: () => void
  /** Generation stopped; the first call wins. */
  readonly finish: () => void
  /** The record as it stands now. */
  readonly snapshot: () => RequestRecord
}

/**
 * @since 0.1.0
 * @category models
 */
export interface TrackOptions {
  /** Epoch milliseconds, from the Effect `Clock` of whoever serves the request. */
  readonly now: () => number
  /** Called once, at the close, with the record as it was then. */
  readonly onClosed?: ((record: RequestRecord) => void) | undefined
  /** Called once, when generation stopped, with the record as it was then. */
  readonly onFinished?: ((record: RequestRecord) => void) | undefined
}

/**
 * Starts the record of a request that just arrived.
 *
 * @since 0.1.0
 * @category constructors
 */
export const track = (start: Start, options: TrackOptions): Tracker => {
  const startedAt = options.now()
  let status = 0
  let headersAt: number | null = null
  let writes = 0
  let chunks = 0
  let bytes = 0
  let lastWriteAt: number | null = null
  let closedAt: number | null = null
  let finishedAt: number | null = null
  let wasReset = false
  let writesAfterClose = 0

  const snapshot = () =>
    new RequestRecord({
      ...start,
      status,
      startedAt,
      headersAt,
      writes,
      chunks,
      bytes,
      lastWriteAt,
      closedAt,
      finishedAt,
      end: wasReset ? "reset" : closedAt !== null ? "client_closed" : finishedAt !== null ? "ended" : "pending",
      writesAfterClose
    })

  return {
    id: start.id,
    headers: (code) => {
      status = code
      headersAt = options.now()
    },
    write: (frame) => {
      if (closedAt !== null) writesAfterClose++
      writes++
      bytes += frame.bytes.length
      if (frame.event === "Chunk" && !frame.partial) chunks++
      lastWriteAt = options.now()
    },
    writeBody: (size, content) => {
      if (closedAt !== null) writesAfterClose++
      writes++
      bytes += size
      chunks += content
      lastWriteAt = options.now()
    },
    closed: () => {
      if (closedAt !== null || finishedAt !== null) return
      closedAt = options.now()
      options.onClosed?.(snapshot())
    },
    reset: () => {
      wasReset = true
    },
    finish: () => {
      if (finishedAt !== null) return
      finishedAt = options.now()
      options.onFinished?.(snapshot())
    },
    snapshot
  }
}
