/**
 * What a plain reading of an upstream's events keeps to say how far a stream had got when it
 * ended: the content chunks, the last event and when it came, and whether the upstream said it was
 * done. Every line's `Guard.reference` counts with it, so each line's executable specification
 * reports a timeout the same way.
 *
 * @since 0.1.0
 */
import type { StreamEvent } from "./StreamEvent.js"
import type { LastEvent, TimeoutDetails } from "./Timeouts.js"
import { detailsAt } from "./Timeouts.js"

/**
 * The tally of one stream's events, from `startedAt` (clock millis).
 *
 * @since 0.1.0
 * @category models
 */
export class EventTally {
  /** Content chunks read so far. */
  chunks = 0
  lastEvent: LastEvent = "none"
  /** When the last event was read, or the start when none was. */
  lastEventAt: number
  /** Whether the upstream's `Done` was read. */
  done = false

  constructor(readonly startedAt: number) {
    this.lastEventAt = startedAt
  }

  /** An upstream event read at `now`. */
  event(event: StreamEvent<unknown>, now: number): void {
    this.lastEventAt = now
    if (event._tag === "Chunk") {
      this.chunks++
      this.lastEvent = "chunk"
    } else if (event._tag === "Keepalive") this.lastEvent = "keepalive"
    else if (event._tag === "Done") this.done = true
  }

  /** Millis since the start. */
  elapsed(now: number): number {
    return now - this.startedAt
  }

  /** The details of a timeout of `limitMillis` that expired at `now`. */
  details(limitMillis: number, now: number): TimeoutDetails {
    return detailsAt(this, limitMillis, now)
  }
}
