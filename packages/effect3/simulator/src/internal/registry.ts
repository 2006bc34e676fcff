import * as Deferred from "effect/Deferred"
import * as Exit from "effect/Exit"
import * as FiberId from "effect/FiberId"
import * as RequestRecord from "../RequestRecord.js"

interface Entry {
  tracker: RequestRecord.Tracker | undefined
  readonly closed: Deferred.Deferred<RequestRecord.RequestRecord>
  readonly finished: Deferred.Deferred<RequestRecord.RequestRecord>
}

/** The records of one simulator. Keeps the newest `maxRecords`, so a long bench run stays bounded. */
export interface Registry {
  /** Starts a request's record; `id` is the one the request asked for, if it is still free. */
  readonly start: (
    start: Omit<RequestRecord.Start, "id"> & { readonly id: string | undefined }
  ) => RequestRecord.Tracker
  readonly entry: (id: string) => Entry
  readonly records: () => ReadonlyArray<RequestRecord.RequestRecord>
  readonly clear: () => void
}

export const make = (options: { readonly maxRecords: number; readonly now: () => number }): Registry => {
  const entries = new Map<string, Entry>()
  let counter = 0

  const entry = (id: string): Entry => {
    let found = entries.get(id)
    if (found === undefined) {
      // Deferreds made outside a fiber: a waiter may ask for an id before its request arrives.
      found = {
        tracker: undefined,
        closed: Deferred.unsafeMake(FiberId.none),
        finished: Deferred.unsafeMake(FiberId.none)
      }
      entries.set(id, found)
      if (entries.size > options.maxRecords) {
        const oldest = entries.keys().next()
        if (oldest.done !== true) entries.delete(oldest.value)
      }
    }
    return found
  }

  const freshId = (wanted: string | undefined): string => {
    counter++
    if (wanted !== undefined && wanted.length > 0 && entries.get(wanted)?.tracker === undefined) return wanted
    return wanted !== undefined && wanted.length > 0 ? `${wanted}-${counter}` : `simreq_${counter}`
  }

  const start: Registry["start"] = (info) => {
    const id = freshId(info.id)
    const slot = entry(id)
    const tracker = RequestRecord.track({ ...info, id }, {
      now: options.now,
      onClosed: (record) => Deferred.unsafeDone(slot.closed, Exit.succeed(record)),
      onFinished: (record) => Deferred.unsafeDone(slot.finished, Exit.succeed(record))
    })
    slot.tracker = tracker
    return tracker
  }

  return {
    start,
    entry,
    records: () => {
      const out: Array<RequestRecord.RequestRecord> = []
      for (const slot of entries.values()) {
        if (slot.tracker !== undefined) out.push(slot.tracker.snapshot())
      }
      return out
    },
    clear: () => entries.clear()
  }
}
