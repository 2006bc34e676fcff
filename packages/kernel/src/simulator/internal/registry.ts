/**
 * The records of one simulator, and who waits for their close or end. Keeps the newest
 * `maxRecords`, so a long bench run stays bounded.
 */
import * as RequestRecord from "../RequestRecord.js"

type Listener = (record: RequestRecord.RequestRecord) => void

/** What a waiter waits for. */
export type Moment = "close" | "finish"

interface Entry {
  tracker: RequestRecord.Tracker | undefined
  /** The record at each moment, once it happened. */
  readonly happened: Map<Moment, RequestRecord.RequestRecord>
  readonly waiters: Map<Moment, Set<Listener>>
}

export interface Registry {
  /** Starts a request's record; `id` is the one the request asked for, if it is still free. */
  readonly start: (
    start: Omit<RequestRecord.Start, "id"> & { readonly id: string | undefined }
  ) => RequestRecord.Tracker
  /**
   * Calls `listener` once with request `id`'s record at `moment` (at once if it already
   * happened); may be called before the request arrives. Returns what cancels the wait.
   */
  readonly when: (id: string, moment: Moment, listener: Listener) => () => void
  readonly records: () => ReadonlyArray<RequestRecord.RequestRecord>
  readonly record: (id: string) => RequestRecord.RequestRecord | undefined
  readonly clear: () => void
}

export const make = (options: { readonly maxRecords: number; readonly now: () => number }): Registry => {
  const entries = new Map<string, Entry>()
  let counter = 0

  const entry = (id: string): Entry => {
    let found = entries.get(id)
    if (found === undefined) {
      found = { tracker: undefined, happened: new Map(), waiters: new Map() }
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

  const happen = (slot: Entry, moment: Moment) => (record: RequestRecord.RequestRecord) => {
    slot.happened.set(moment, record)
    const waiting = slot.waiters.get(moment)
    slot.waiters.delete(moment)
    if (waiting !== undefined) { for (const listener of waiting) listener(record) }
  }

  return {
    start: (info) => {
      const id = freshId(info.id)
      const slot = entry(id)
      const tracker = RequestRecord.track({ ...info, id }, {
        now: options.now,
        onClosed: happen(slot, "close"),
        onFinished: happen(slot, "finish")
      })
      slot.tracker = tracker
      return tracker
    },
    when: (id, moment, listener) => {
      const slot = entry(id)
      const record = slot.happened.get(moment)
      if (record !== undefined) {
        listener(record)
        return () => {}
      }
      const waiting = slot.waiters.get(moment) ?? new Set()
      waiting.add(listener)
      slot.waiters.set(moment, waiting)
      return () => waiting.delete(listener)
    },
    records: () => {
      const out: Array<RequestRecord.RequestRecord> = []
      for (const slot of entries.values()) {
        if (slot.tracker !== undefined) out.push(slot.tracker.snapshot())
      }
      return out
    },
    record: (id) => entries.get(id)?.tracker?.snapshot(),
    clear: () => entries.clear()
  }
}
