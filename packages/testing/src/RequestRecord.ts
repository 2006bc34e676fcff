/**
 * What the simulator saw and did for one request: the witness that a client closed its
 * connection and that generation stopped when it did.
 *
 * @since 0.1.0
 */
import * as Schema from "effect/Schema"

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
export class RequestRecord extends Schema.Class<RequestRecord>("@streamguard/testing/RequestRecord")({
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
