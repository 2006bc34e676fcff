import * as Cause from "effect/Cause"
import * as Chunk from "effect/Chunk"
import type * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Exit from "effect/Exit"
import * as Option from "effect/Option"
import type * as StreamEvent from "../StreamEvent.js"
import type * as StreamObserver from "../StreamObserver.js"
import type { StreamOutcome } from "../StreamOutcome.js"
import { hasOutcome } from "../StreamOutcome.js"
import type { TimeoutDetails } from "../ZombieRequestError.js"

/**
 * The mutable bookkeeping of one guarded stream. It is written synchronously once per pull (one
 * batch of events), so that the hot path allocates no effects, and read when a timer fires to say
 * how far the stream had got. One instance per stream, never shared between fibers' streams.
 *
 * @internal
 */
export class GuardState {
  readonly startedAt: number
  lastEventAt: number
  lastEvent: "none" | "chunk" | "keepalive" = "none"
  chunks = 0
  keepalives = 0
  bytes = 0
  firstChunkAt: number | undefined = undefined
  /** When the last content chunk arrived (the start until one does): what `progress` counts from. */
  lastChunkAt: number
  /** Set by the guard when it decides the end itself (done, error signal, a timeout, a failure). */
  outcome: StreamOutcome | undefined = undefined
  error: unknown = undefined
  /** When the upstream opened (at once for a plain stream; after the response for a request). */
  openedAt: number | undefined = undefined
  /** The upstream reached EOF: nothing more may be pulled. */
  eof = false

  constructor(readonly clock: Clock.Clock, startedAt: number) {
    this.startedAt = startedAt
    this.lastEventAt = startedAt
    this.lastChunkAt = startedAt
  }

  /** The upstream has opened: `chunk`, `progress` and the reported gaps count from here. */
  open(): void {
    const now = this.now()
    this.openedAt = now
    this.lastEventAt = now
    this.lastChunkAt = now
  }

  now(): number {
    return this.clock.unsafeCurrentTimeMillis()
  }

  /**
   * Counts one batch of events. Returns what the observer is told, and whether this batch holds
   * the first content chunk.
   */
  track<A>(
    events: Chunk.Chunk<StreamEvent.StreamEvent<A>>
  ): { readonly received: StreamObserver.Received; readonly first: boolean } | undefined {
    if (Chunk.isEmpty(events)) return undefined
    const now = this.now()
    const gapMillis = now - this.lastEventAt
    const chunksBefore = this.chunks
    let chunks = 0
    let keepalives = 0
    let bytes = 0
    for (const event of events) {
      bytes += event.bytes
      if (event._tag === "Chunk") {
        chunks++
        this.lastEvent = "chunk"
      } else if (event._tag === "Keepalive") {
        keepalives++
        this.lastEvent = "keepalive"
      }
    }
    this.lastEventAt = now
    if (chunks > 0) this.lastChunkAt = now
    this.chunks += chunks
    this.keepalives += keepalives
    this.bytes += bytes
    const first = chunksBefore === 0 && chunks > 0
    if (first) this.firstChunkAt = now
    return { received: { gapMillis, chunks, keepalives, bytes }, first }
  }

  details(limit: Duration.Duration): TimeoutDetails {
    const now = this.now()
    return {
      limitMillis: Duration.toMillis(limit),
      elapsedMillis: now - this.startedAt,
      chunks: this.chunks,
      sinceLastEventMillis: now - this.lastEventAt,
      lastEvent: this.lastEvent
    }
  }

  /** Records how the stream ended, first decision wins. */
  decide(outcome: StreamOutcome, error?: unknown): void {
    if (this.outcome !== undefined) return
    this.outcome = outcome
    this.error = error
  }

  decideFromCause<E>(cause: Cause.Cause<E>): void {
    if (Cause.isInterruptedOnly(cause)) return this.decide("interrupted")
    const failure = Cause.failureOption(cause)
    if (Option.isSome(failure)) {
      const error: unknown = failure.value
      return this.decide(hasOutcome(error) ? error.outcome : "transport_error", error)
    }
    return this.decide("transport_error", Cause.squash(cause))
  }

  /**
   * The end as the observer hears it. Undecided by the guard, the stream was ended from outside:
   * an interruption, or the consumer stopping (taking only what it needed, or failing itself).
   */
  ended(exit: Exit.Exit<unknown, unknown>): StreamObserver.Ended {
    const outcome = this.outcome ??
      (Exit.isFailure(exit) && Cause.isInterruptedOnly(exit.cause) ? "interrupted" : "consumer_stopped")
    this.outcome = outcome
    return {
      outcome,
      durationMillis: this.now() - this.startedAt,
      timeToFirstChunkMillis: this.firstChunkAt === undefined ? undefined : this.firstChunkAt - this.startedAt,
      chunks: this.chunks,
      keepalives: this.keepalives,
      bytes: this.bytes,
      error: this.error
    }
  }
}
