/**
 * One stream's life as the guard told it: when the headers came, each network read with what it
 * carried, the first content and the end. A `Recorder` is a `StreamObserver` for one run: it keeps
 * the timeline and tells each step as it happens (the live view).
 *
 * @since 0.1.0
 */
import type * as StreamObserver from "@streamguard/core/StreamObserver"
import type { StreamOutcome } from "@streamguard/core/StreamOutcome"
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"

/**
 * One network read: what it carried, `at` millis after the request began.
 *
 * @since 0.1.0
 * @category models
 */
export interface Read {
  readonly at: number
  readonly chunks: number
  readonly keepalives: number
  readonly bytes: number
}

/**
 * One step of a stream, as the live view prints it.
 *
 * @since 0.1.0
 * @category models
 */
export type Step =
  | { readonly _tag: "Started"; readonly run: number }
  | {
    readonly _tag: "Retrying"
    readonly run: number
    readonly attempt: number
    readonly outcome: StreamOutcome
    readonly delayMillis: number
  }
  | { readonly _tag: "Headers"; readonly run: number; readonly at: number }
  | {
    readonly _tag: "Read"
    readonly run: number
    readonly read: Read
    /** Silence before it: since the previous read, or since the headers. */
    readonly gapMillis: number
    readonly first: boolean
  }
  | { readonly _tag: "Ended"; readonly run: number; readonly result: Run }

/**
 * A finished stream: its outcome, its phases and every read.
 *
 * @since 0.1.0
 * @category models
 */
export interface Run {
  /** From 1. */
  readonly index: number
  readonly outcome: StreamOutcome
  /** The failure's message, for outcomes other than `done`. */
  readonly error: string | undefined
  /** When the response's headers came (connect and headers included). */
  readonly headersMillis: number | undefined
  readonly firstContentMillis: number | undefined
  readonly durationMillis: number
  readonly chunks: number
  readonly keepalives: number
  readonly bytes: number
  readonly retries: number
  readonly reads: ReadonlyArray<Read>
}

/**
 * The observer of one run, and the run once it ended.
 *
 * @since 0.1.0
 * @category models
 */
export interface Recorder {
  readonly observer: StreamObserver.Service
  /** Waits for the stream's end (the observer's `ended`, told after its connection closed). */
  readonly run: Effect.Effect<Run>
}

const messageOf = (error: unknown): string | undefined => {
  if (error === undefined || error === null) return undefined
  if (typeof error === "object" && "message" in error && typeof error.message === "string") return error.message
  return String(error)
}

/**
 * Makes the recorder of run `index`; `onStep` hears each step as it happens.
 *
 * Read times are rebuilt from the guard's gaps (each read's silence since the previous event, the
 * first counted from the headers), so they are the times the guard measured, not when the
 * observer happened to run.
 *
 * @since 0.1.0
 * @category constructors
 */
export const recorder = (index: number, onStep: (step: Step) => Effect.Effect<void>): Effect.Effect<Recorder> =>
  Effect.map(Deferred.make<Run>(), (ended) => {
    let headersMillis: number | undefined
    let at = 0
    let retries = 0
    const reads: Array<Read> = []
    const observer: StreamObserver.Service = {
      started: () => onStep({ _tag: "Started", run: index }),
      retrying: (_stream, retrying) =>
        Effect.suspend(() => {
          retries++
          return onStep({ _tag: "Retrying", run: index, ...retrying })
        }),
      opened: (_stream, millis) =>
        Effect.suspend(() => {
          headersMillis = millis
          at = millis
          return onStep({ _tag: "Headers", run: index, at: millis })
        }),
      received: (_stream, received) =>
        Effect.suspend(() => {
          at += received.gapMillis
          const read: Read = { at, chunks: received.chunks, keepalives: received.keepalives, bytes: received.bytes }
          const first = received.chunks > 0 && reads.every((r) => r.chunks === 0)
          reads.push(read)
          return onStep({ _tag: "Read", run: index, read, gapMillis: received.gapMillis, first })
        }),
      firstChunk: () => Effect.void,
      ended: (_stream, end) =>
        Effect.suspend(() => {
          const run: Run = {
            index,
            outcome: end.outcome,
            error: end.outcome === "done" ? undefined : messageOf(end.error),
            headersMillis,
            firstContentMillis: end.timeToFirstChunkMillis,
            durationMillis: end.durationMillis,
            chunks: end.chunks,
            keepalives: end.keepalives,
            bytes: end.bytes,
            retries,
            reads: [...reads]
          }
          return Effect.andThen(onStep({ _tag: "Ended", run: index, result: run }), Deferred.succeed(ended, run))
        })
    }
    return { observer, run: Deferred.await(ended) }
  })
