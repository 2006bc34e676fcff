/**
 * The registry behind the live view: every stream in flight (the relay adds its `LiveStream` when
 * it takes the request and ends it with its log line), the last few hundred ends in a bounded
 * ring, and the count of ends by outcome since start. Nothing runs on a stream's path but the add
 * and the end; the view is built when a viewer asks, in one pass over the streams.
 *
 * Plain data and no Effect: the relay holds one.
 *
 * @since 0.1.0
 */
import type { LiveStream, Usage } from "./LiveStream.js"
import type { Admission, EndRow, Moment, Ranked, StreamsView } from "./StreamsView.js"
import { byUrgency, phaseOf, rank, rowOf, weigh } from "./StreamsView.js"

/**
 * What the ring keeps of an end line.
 *
 * @since 0.1.0
 * @category models
 */
export interface EndLine {
  /** The upstream that served (or failed last). */
  readonly upstream: string
  readonly outcome: string
  readonly status: number
  readonly durationMs: number
  readonly attempts?: number | undefined
  readonly usage?: Usage | undefined
}

/**
 * What a view is asked for, besides the moment: the admission's slots (which the admission
 * counts), at most how many rows, and only the ends past one.
 *
 * @since 0.1.0
 * @category models
 */
export interface ViewRequest extends Moment {
  readonly slots: Pick<Admission, "slots" | "upstreams">
  /** At most this many rows, the nearest to a limit first (`defaultLimit` when absent). */
  readonly limit?: number | undefined
  /** Only the ends whose `seq` is past this. All the ring holds when absent. */
  readonly after?: number | undefined
}

/**
 * How many ends the ring keeps by default.
 *
 * @since 0.1.0
 * @category constants
 */
export const defaultCapacity = 300

/**
 * How many rows a view holds unless asked for more: what an operator reads, and a bound on what a
 * poll costs however many streams are in flight (all 2,000 rows are about 1 MB of JSON).
 *
 * @since 0.1.0
 * @category constants
 */
export const defaultLimit = 200

/**
 * @since 0.1.0
 * @category models
 */
export class InFlight {
  private readonly live = new Set<LiveStream>()
  private readonly ring: Array<EndRow | undefined>
  /** How many ends there were: the newest one's `seq`. */
  private ended = 0
  private readonly outcomes = new Map<string, number>()

  constructor(readonly capacity: number = defaultCapacity) {
    this.ring = new Array(Math.max(1, capacity))
  }

  /** Streams in flight now. */
  get size(): number {
    return this.live.size
  }

  /** A stream the relay took. */
  add(live: LiveStream): LiveStream {
    this.live.add(live)
    return live
  }

  /** The stream's end line was written at `now`: it leaves the streams in flight for the ring. */
  end(live: LiveStream, line: EndLine, now: number): void {
    if (!this.live.delete(live)) return
    const seq = ++this.ended
    const origin = live.origin
    this.ring[seq % this.ring.length] = {
      seq,
      endedAt: now,
      requestId: origin.requestId,
      endpoint: origin.endpoint,
      model: origin.model,
      upstream: line.upstream,
      profile: origin.profile,
      outcome: line.outcome,
      phase: phaseOf(live, live.snapshot(now)),
      status: line.status,
      durationMs: line.durationMs,
      attempts: line.attempts ?? live.attempts.length,
      usage: line.usage
    }
    this.outcomes.set(line.outcome, (this.outcomes.get(line.outcome) ?? 0) + 1)
  }

  /** The ends the ring holds past `after`, oldest first. */
  recent(after = 0): Array<EndRow> {
    const out: Array<EndRow> = []
    const from = Math.max(after, this.ended - this.ring.length) + 1
    for (let seq = from; seq <= this.ended; seq++) out.push(this.ring[seq % this.ring.length]!)
    return out
  }

  /**
   * The view at `request.now`: one pass over the streams that ranks each one by its guard's next
   * limit alone (no snapshot: a poll with thousands of idle streams in flight stays cheap), then
   * the rows of the `limit` nearest to a limit, each weighed from its guard's snapshot.
   */
  view(request: ViewRequest): StreamsView {
    const ranked: Array<Ranked> = []
    let waiting = 0
    let longestWaitMs = 0
    const now = request.now
    for (const live of this.live) {
      if (live.admittedAt === undefined) {
        waiting++
        longestWaitMs = Math.max(longestWaitMs, now - live.startedAt)
      }
      ranked.push(rank(live, request))
    }
    ranked.sort(byUrgency)
    const shown = Math.min(ranked.length, request.limit ?? defaultLimit)
    const rows = new Array(shown)
    for (let i = 0; i < shown; i++) rows[i] = rowOf(weigh(ranked[i]!.live, request), request)
    return {
      at: now,
      shuttingDown: request.shutdownAt !== undefined,
      inFlight: this.live.size,
      streams: rows,
      admission: { waiting, longestWaitMs, ...request.slots },
      outcomes: Object.fromEntries(this.outcomes),
      ends: this.recent(request.after),
      lastEnd: this.ended
    }
  }
}
