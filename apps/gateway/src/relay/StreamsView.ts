/**
 * The live view of the streams in flight, as `/streams.json` serves it and the `/streams` page
 * draws it: one row per stream (who it is, its attempt, its phase, how long it has been in it and
 * silent, each running limit as a bar toward its end, what it carried so far), the recent ends,
 * the counts by outcome and the admission's queue. Built on request from each stream's
 * `LiveStream`: plain data, no Effect, times in the gateway clock's millis.
 *
 * No prompt or completion text, no key, no address: the same fields as the end line, the upstream
 * by its configured name, and no error message (a transport failure's message may hold one).
 *
 * @since 0.1.0
 */
import type { Next, StreamSnapshot } from "@streamguard/kernel/StreamSnapshot"
import type { Slots } from "../admission/Admission.js"
import type { LiveStream, Usage } from "./LiveStream.js"

/**
 * Where a stream is: waiting for `admission`, for the upstream's `headers`, for its
 * `first_content`; `streaming`; `draining` (the client left, the upstream is read on for its
 * usage); `shutting_down` (the gateway is draining: it ends at `drainTimeout`).
 *
 * @since 0.1.0
 * @category models
 */
export type Phase = "admission" | "headers" | "first_content" | "streaming" | "draining" | "shutting_down"

/**
 * One running limit: `ms` counted toward it of `of`. `name` is a policy field (`firstChunk`,
 * `chunk`, `progress`, `reasoning`, `total`, `minRate`, and before the response `pool`, `connect`,
 * `write`, `headers`), or the gateway's own: `pool` while it waits for admission, `drainWindow`
 * once the client left, `drainTimeout` while the gateway shuts down.
 *
 * @since 0.1.0
 * @category models
 */
export interface Bar {
  readonly name: string
  readonly ms: number
  readonly of: number
  /** An idle limit standing still: the relay is busy writing to the client. */
  readonly paused?: true | undefined
  /** `minRate`: content events in this window so far, and how many it needs by its end. */
  readonly seen?: number | undefined
  readonly needed?: number | undefined
}

/**
 * One stream in flight.
 *
 * @since 0.1.0
 * @category models
 */
export interface StreamRow {
  readonly requestId: string
  readonly endpoint: string
  readonly model: string
  /** The upstream of the attempt followed, by its configured name. */
  readonly upstream: string
  readonly profile: string
  /** The attempt followed (1 for the first), and why it started: `primary`, `fallback`, `hedge`. */
  readonly attempt: number
  readonly role: string
  /** Every attempt, when there was more than one: each one's upstream, role and result so far. */
  readonly tried?:
    | ReadonlyArray<{ readonly upstream: string; readonly role: string; readonly result: string }>
    | undefined
  readonly phase: Phase
  /** Millis in the phase. */
  readonly phaseMs: number
  /** Millis since the upstream last sent anything (since the start when it never did). */
  readonly silentMs: number
  /** Millis since the gateway took the request. */
  readonly ageMs: number
  readonly bars: ReadonlyArray<Bar>
  /** The bar that ends the stream first unless the upstream speaks, and the millis it has left. */
  readonly next?: string | undefined
  readonly leftMs?: number | undefined
  /** What the followed attempt's upstream sent: content events, pings and bytes. */
  readonly chunks: number
  readonly keepalives: number
  readonly bytes: number
  /** What the client was sent so far. */
  readonly usage: Usage
}

/**
 * One stream that ended, as its end line says, with the phase it was in.
 *
 * @since 0.1.0
 * @category models
 */
export interface EndRow {
  /** Its place in the order of ends, from 1: `after` asks for the ends past one. */
  readonly seq: number
  /** When it ended, in the gateway clock's millis. */
  readonly endedAt: number
  readonly requestId: string
  readonly endpoint: string
  readonly model: string
  /** The upstream that served (or failed last). */
  readonly upstream: string
  readonly profile: string
  readonly outcome: string
  readonly phase: Phase
  readonly status: number
  readonly durationMs: number
  readonly attempts: number
  readonly usage?: Usage | undefined
}

/**
 * The admission's queue: the streams waiting for a slot, the longest wait, and the slots in use
 * (streams and non-streamed calls), overall and for each upstream with a limit of its own.
 *
 * @since 0.1.0
 * @category models
 */
export interface Admission {
  readonly waiting: number
  readonly longestWaitMs: number
  readonly slots: Slots
  readonly upstreams: Readonly<Record<string, Slots>>
}

/**
 * The whole view.
 *
 * @since 0.1.0
 * @category models
 */
export interface StreamsView {
  /** When it was built, in the gateway clock's millis. */
  readonly at: number
  readonly shuttingDown: boolean
  /** Streams in flight, all of them. */
  readonly inFlight: number
  /** Their rows, the nearest to a limit first: at most `limit` of them (200 unless asked). */
  readonly streams: ReadonlyArray<StreamRow>
  readonly admission: Admission
  /** Streams ended since the gateway started, by outcome. */
  readonly outcomes: Readonly<Record<string, number>>
  /** The recent ends, oldest first (only those past `after` when asked). */
  readonly ends: ReadonlyArray<EndRow>
  /** The `seq` of the newest end (0: none yet): the next poll's `after`. */
  readonly lastEnd: number
}

/**
 * What a row needs besides its stream: the moment, and the shutdown when it began.
 *
 * @since 0.1.0
 * @category models
 */
export interface Moment {
  readonly now: number
  /** When the gateway began to shut down, if it has. */
  readonly shutdownAt?: number | undefined
  readonly drainTimeout: number
}

/**
 * The phase a stream is in, apart from a shutdown, given its followed attempt's snapshot.
 *
 * @since 0.1.0
 * @category view
 */
export const phaseOf = (live: LiveStream, snapshot: StreamSnapshot | undefined): Phase => {
  if (live.leftAt !== undefined && live.disconnect === "drain") return "draining"
  if (live.admittedAt === undefined) return "admission"
  if (snapshot === undefined || snapshot.openedAt === undefined) return "headers"
  return snapshot.firstChunkAt === undefined ? "first_content" : "streaming"
}

const phaseStart = (live: LiveStream, phase: Phase, snapshot: StreamSnapshot | undefined, moment: Moment): number => {
  switch (phase) {
    case "shutting_down":
      return moment.shutdownAt!
    case "draining":
      return live.leftAt!
    case "admission":
      return live.startedAt
    case "headers":
      return live.current()?.at ?? live.admittedAt!
    case "first_content":
      return snapshot!.openedAt!
    case "streaming":
      return snapshot!.firstChunkAt!
  }
}

/** The admission's wait as a bar, while the stream waits for a slot under a profile with a `pool` limit. */
const poolBar = (live: LiveStream, now: number): Bar | undefined =>
  // A profile without a `pool` limit (or a zero one) does not wait for admission at all.
  live.admittedAt === undefined && live.limits.pool !== undefined && live.limits.pool > 0
    ? { name: "pool", ms: now - live.startedAt, of: live.limits.pool }
    : undefined

/** The relay's limits after the guard's: the drain after the client left, and the gateway's shutdown. */
const drainBars = (live: LiveStream, moment: Moment): Array<Bar> => {
  const bars: Array<Bar> = []
  if (live.leftAt !== undefined && live.disconnect === "drain") {
    bars.push({ name: "drainWindow", ms: moment.now - live.leftAt, of: live.limits.drainWindow })
  }
  if (moment.shutdownAt !== undefined) {
    bars.push({ name: "drainTimeout", ms: moment.now - moment.shutdownAt, of: moment.drainTimeout })
  }
  return bars
}

/** The bars of a stream, in order: the admission's wait, its guard's readings, the relay's drains. */
const barsOf = (live: LiveStream, snapshot: StreamSnapshot | undefined, moment: Moment): Array<Bar> => {
  const bars: Array<Bar> = []
  const pool = poolBar(live, moment.now)
  if (pool !== undefined) bars.push(pool)
  if (snapshot !== undefined) {
    for (const { elapsedMillis: ms, events, limit: name, limitMillis: of, running } of snapshot.readings) {
      bars.push(
        events === undefined
          ? (running ? { name, ms, of } : { name, ms, of, paused: true })
          : { name, ms, of, paused: running ? undefined : true, seen: events.seen, needed: events.needed }
      )
    }
  }
  bars.push(...drainBars(live, moment))
  return bars
}

/**
 * What ends a stream first unless the upstream speaks: the limit with the least left among the
 * admission's wait, the guard's `next` (the guard's own rule: its running limits, a `minRate`
 * window that has its events aside) and the relay's drains, in that order at a tie; and the
 * millis it has left. The same for ranking every stream (from the guard's `nextLimit` alone) and for
 * the rows shown (from the snapshot's).
 *
 * @since 0.1.0
 * @category models
 */
export interface Urgency {
  readonly next: string | undefined
  readonly leftMs: number | undefined
}

const urgencyOf = (live: LiveStream, guardNext: Next | undefined, moment: Moment): Urgency => {
  let next: string | undefined
  let least = Infinity
  const pool = poolBar(live, moment.now)
  if (pool !== undefined) [next, least] = [pool.name, pool.of - pool.ms]
  if (guardNext !== undefined && guardNext.leftMillis < least) [next, least] = [guardNext.limit, guardNext.leftMillis]
  // Only while the client is gone or the gateway shuts down: the allocation is not every stream's.
  if (live.leftAt !== undefined || moment.shutdownAt !== undefined) {
    for (const bar of drainBars(live, moment)) {
      if (bar.of - bar.ms < least) [next, least] = [bar.name, bar.of - bar.ms]
    }
  }
  return { next, leftMs: next === undefined ? undefined : Math.max(0, least) }
}

/** The phase a stream is in at `moment`: a shutdown puts every stream in `shutting_down`. */
const phaseAt = (live: LiveStream, snapshot: StreamSnapshot | undefined, moment: Moment): Phase =>
  moment.shutdownAt === undefined ? phaseOf(live, snapshot) : "shutting_down"

/**
 * A stream ranked at a moment, without a snapshot of its guard: what ends it first and when, and
 * its age. What a view sorts every stream in flight by, before it weighs the ones it shows.
 *
 * @since 0.1.0
 * @category models
 */
export interface Ranked extends Urgency {
  readonly live: LiveStream
  /** Millis since the gateway took the request. */
  readonly ageMs: number
}

/**
 * Ranks a stream at `moment` from its followed guard's `nextLimit` alone.
 *
 * @since 0.1.0
 * @category view
 */
export const rank = (live: LiveStream, moment: Moment): Ranked => {
  const { leftMs, next } = urgencyOf(live, live.nextLimit(moment.now), moment)
  return { live, next, leftMs, ageMs: moment.now - live.startedAt }
}

/**
 * A stream weighed at a moment: its guard read once, its phase, its bars, and what ends it first
 * (as `rank` ranks it). What a row is made from.
 *
 * @since 0.1.0
 * @category models
 */
export interface Weighed extends Ranked {
  readonly snapshot: StreamSnapshot | undefined
  readonly phase: Phase
  readonly bars: ReadonlyArray<Bar>
}

/**
 * Weighs a stream at `moment`, from its followed attempt's snapshot taken at that moment.
 *
 * @since 0.1.0
 * @category view
 */
export const weigh = (live: LiveStream, moment: Moment): Weighed => {
  const snapshot = live.snapshot(moment.now)
  const { leftMs, next } = urgencyOf(live, snapshot?.next, moment)
  return {
    live,
    snapshot,
    phase: phaseAt(live, snapshot, moment),
    bars: barsOf(live, snapshot, moment),
    next,
    leftMs,
    ageMs: moment.now - live.startedAt
  }
}

const none: Usage = { contentEvents: 0, characters: 0, outputTokens: 0, tokens: "estimate" }

/**
 * One stream's row at `moment`, from the stream as `weigh` weighed it at that moment.
 *
 * @since 0.1.0
 * @category view
 */
export const rowOf = ({ ageMs, bars, leftMs, live, next, phase, snapshot }: Weighed, moment: Moment): StreamRow => {
  const now = moment.now
  const current = live.current()
  const origin = live.origin
  return {
    requestId: origin.requestId,
    endpoint: origin.endpoint,
    model: origin.model,
    upstream: current?.info.upstream ?? origin.upstream,
    profile: origin.profile,
    attempt: current?.info.attempt ?? 0,
    role: current?.info.role ?? "primary",
    tried: live.attempts.length > 1
      ? live.attempts.map(({ info }) => ({ upstream: info.upstream, role: info.role, result: info.result }))
      : undefined,
    phase,
    phaseMs: Math.max(0, now - phaseStart(live, phase, snapshot, moment)),
    silentMs: Math.max(0, snapshot === undefined ? now - live.startedAt : snapshot.at - snapshot.lastEventAt),
    ageMs: Math.max(0, ageMs),
    bars,
    next,
    leftMs,
    chunks: snapshot?.chunks ?? 0,
    keepalives: snapshot?.keepalives ?? 0,
    bytes: snapshot?.bytes ?? 0,
    usage: live.attempts.length === 0 ? none : live.meter.snapshot()
  }
}

/**
 * The order an operator reads streams in: the least time left first, those with no running limit
 * last, then the oldest first.
 *
 * @since 0.1.0
 * @category view
 */
export const byUrgency = (
  a: { readonly leftMs?: number | undefined; readonly ageMs: number },
  b: { readonly leftMs?: number | undefined; readonly ageMs: number }
): number => (a.leftMs ?? Infinity) - (b.leftMs ?? Infinity) || b.ageMs - a.ageMs
