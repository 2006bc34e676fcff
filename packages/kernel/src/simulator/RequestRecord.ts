/**
 * What the simulator saw and did for one request: the witness that a client closed its
 * connection and that generation stopped when it did. A `Tracker` keeps one request's record
 * while its response runs.
 *
 * @since 0.1.0
 */
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
export type End = "pending" | "ended" | "client_closed" | "reset"

/**
 * Every `End`, in the order a response goes through them.
 *
 * @since 0.1.0
 * @category models
 */
export const ends: ReadonlyArray<End> = ["pending", "ended", "client_closed", "reset"]

/**
 * What is known when a request arrives.
 *
 * @since 0.1.0
 * @category models
 */
export interface Start {
  /** The `x-sim-request-id` request header when given (and unused), else generated. */
  readonly id: string
  readonly dialect: string
  readonly method: string
  readonly path: string
  readonly model: string
  /** The scenario as the request named it (header or model), `default` when it did not. */
  readonly scenario: string
  /** The scenario's name (`steady`, `stall-after`, `429`, `script`). */
  readonly scenarioName: string
  readonly stream: boolean
}

/**
 * A record's fields. Times are epoch milliseconds from the clock of whoever serves the request.
 *
 * @since 0.1.0
 * @category models
 */
export interface Fields extends Start {
  readonly status: number
  readonly startedAt: number
  /** When the response headers were handed to the server (null while they are held back). */
  readonly headersAt: number | null
  /** Writes handed to the socket (a `slow-drip` event counts once per piece). */
  readonly writes: number
  /** Content events written (tokens, progress). */
  readonly chunks: number
  readonly bytes: number
  readonly lastWriteAt: number | null
  /** When the connection closed before the response ended (client abort, or a reset). */
  readonly closedAt: number | null
  /** When generation stopped: the response ended, failed, or was stopped. */
  readonly finishedAt: number | null
  readonly end: End
  /** Writes the scenario attempted after the close. A zombie would make this grow. */
  readonly writesAfterClose: number
}

/**
 * One request's record, as it stood when it was taken.
 *
 * @since 0.1.0
 * @category models
 */
export class RequestRecord implements Fields {
  readonly id: string
  readonly dialect: string
  readonly method: string
  readonly path: string
  readonly model: string
  readonly scenario: string
  readonly scenarioName: string
  readonly stream: boolean
  readonly status: number
  readonly startedAt: number
  readonly headersAt: number | null
  readonly writes: number
  readonly chunks: number
  readonly bytes: number
  readonly lastWriteAt: number | null
  readonly closedAt: number | null
  readonly finishedAt: number | null
  readonly end: End
  readonly writesAfterClose: number

  constructor(fields: Fields) {
    this.id = fields.id
    this.dialect = fields.dialect
    this.method = fields.method
    this.path = fields.path
    this.model = fields.model
    this.scenario = fields.scenario
    this.scenarioName = fields.scenarioName
    this.stream = fields.stream
    this.status = fields.status
    this.startedAt = fields.startedAt
    this.headersAt = fields.headersAt
    this.writes = fields.writes
    this.chunks = fields.chunks
    this.bytes = fields.bytes
    this.lastWriteAt = fields.lastWriteAt
    this.closedAt = fields.closedAt
    this.finishedAt = fields.finishedAt
    this.end = fields.end
    this.writesAfterClose = fields.writesAfterClose
  }

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
  toJSON(): Fields & { readonly stoppedAfterClose: boolean; readonly stopLatencyMillis: number | null } {
    return { ...this, stoppedAfterClose: this.stoppedAfterClose, stopLatencyMillis: this.stopLatencyMillis }
  }
}

/**
 * One request's live record. Told from the response's driver and from the socket's `close` event,
 * so it is plain mutable state, read through `snapshot`.
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
  /** Epoch milliseconds, from the clock of whoever serves the request. */
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
