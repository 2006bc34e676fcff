import * as Deferred from "effect/Deferred"
import * as Exit from "effect/Exit"
import * as FiberId from "effect/FiberId"
import { RequestRecord } from "../RequestRecord.js"
import type { Frame } from "../Simulation.js"

/** What is known when a request arrives. */
export interface Start {
  readonly id: string | undefined
  readonly dialect: string
  readonly method: string
  readonly path: string
  readonly model: string
  readonly scenario: string
  readonly scenarioName: string
  readonly stream: boolean
}

/**
 * One request's live state. Mutated from the response's fiber and from Node's `close` event
 * (outside any fiber), so it is plain mutable state read through `snapshot`.
 */
export interface Tracker {
  readonly id: string
  readonly headers: (status: number) => void
  readonly write: (frame: Frame) => void
  /** A non-streaming answer: one write of the whole body. */
  readonly writeBody: (bytes: number, chunks: number) => void
  /** Node's `close` fired before the response ended. */
  readonly closed: () => void
  readonly reset: () => void
  /** Generation stopped; the first call wins. */
  readonly finish: () => void
  readonly snapshot: () => RequestRecord
}

interface Entry {
  tracker: Tracker | undefined
  readonly closed: Deferred.Deferred<RequestRecord>
  readonly finished: Deferred.Deferred<RequestRecord>
}

/** The records of one simulator. Keeps the newest `maxRecords`, so a long bench run stays bounded. */
export interface Registry {
  readonly start: (start: Start) => Tracker
  readonly entry: (id: string) => Entry
  readonly records: () => ReadonlyArray<RequestRecord>
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

  const start = (info: Start): Tracker => {
    const id = freshId(info.id)
    const slot = entry(id)
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
        id,
        dialect: info.dialect,
        method: info.method,
        path: info.path,
        model: info.model,
        scenario: info.scenario,
        scenarioName: info.scenarioName,
        stream: info.stream,
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

    const tracker: Tracker = {
      id,
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
        Deferred.unsafeDone(slot.closed, Exit.succeed(snapshot()))
      },
      reset: () => {
        wasReset = true
      },
      finish: () => {
        if (finishedAt !== null) return
        finishedAt = options.now()
        Deferred.unsafeDone(slot.finished, Exit.succeed(snapshot()))
      },
      snapshot
    }
    slot.tracker = tracker
    return tracker
  }

  return {
    start,
    entry,
    records: () => {
      const out: Array<RequestRecord> = []
      for (const slot of entries.values()) {
        if (slot.tracker !== undefined) out.push(slot.tracker.snapshot())
      }
      return out
    },
    clear: () => entries.clear()
  }
}
