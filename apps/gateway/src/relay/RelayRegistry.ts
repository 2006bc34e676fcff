/**
 * The streams in flight: every relayed stream's `RelayRecord`, from the moment the gateway takes
 * the request until its log line is written (a drained stream stays until its drain ended). A
 * view of the streams reads them here, each as a `RelayRecord.Snapshot`, when it is asked; the
 * relay only adds and removes a record once per stream, so keeping the set costs no stream
 * anything per chunk.
 *
 * @since 0.1.0
 */
import { Clock, Context, Effect, Layer } from "effect"
import type { RelayRecord, Snapshot } from "./RelayRecord.js"

/**
 * @since 0.1.0
 * @category models
 */
export interface Service {
  /** The records of the streams in flight, in the order they started. */
  readonly records: ReadonlySet<RelayRecord<any>>
  /** Adds a stream's record, as the gateway takes the request. */
  readonly add: (record: RelayRecord<any>) => void
  /** Removes a stream's record, once its log line is written. */
  readonly remove: (record: RelayRecord<any>) => void
  /** Every stream in flight as plain data, all read at the same instant. */
  readonly snapshot: Effect.Effect<ReadonlyArray<Snapshot>>
}

/**
 * A registry with no stream in it.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (): Service => {
  const records = new Set<RelayRecord<any>>()
  return {
    records,
    add: (record) => {
      records.add(record)
    },
    remove: (record) => {
      records.delete(record)
    },
    snapshot: Effect.map(Clock.currentTimeMillis, (now) => Array.from(records, (record) => record.snapshot(now)))
  }
}

/**
 * @since 0.1.0
 * @category services
 */
export class RelayRegistry extends Context.Service<RelayRegistry, Service>()("gateway/RelayRegistry") {
  /** One registry for the gateway. */
  static readonly layer: Layer.Layer<RelayRegistry> = Layer.sync(RelayRegistry, make)
}
