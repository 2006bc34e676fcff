import { assert, describe, it } from "@effect/vitest"
import { RequestProfile, StreamObserver, TimeoutPolicy } from "@streamguard/core"
import type * as Attempt from "@streamguard/gateway/relay/Attempt"
import * as Failover from "@streamguard/gateway/relay/Failover"
import { InFlight } from "@streamguard/gateway/relay/InFlight"
import type { AttemptInfo, Usage } from "@streamguard/gateway/relay/LiveStream"
import { LiveStream } from "@streamguard/gateway/relay/LiveStream"
import type { Moment, StreamRow } from "@streamguard/gateway/relay/StreamsView"
import { rank, rowOf as rowOfWeighed, weigh } from "@streamguard/gateway/relay/StreamsView"
import { readQuery } from "@streamguard/gateway/server/Streams"
import type { Next, Reading, StreamSnapshot } from "@streamguard/kernel/StreamSnapshot"
import { Dialects } from "@streamguard/protocols"
import { Scenario, Step } from "@streamguard/simulator"
import { TestUpstream } from "@streamguard/testing"
import type { Array as Arr } from "effect"
import { Clock, Duration, Effect, Exit, Layer, Option, Scope } from "effect"
import { HttpClientRequest } from "effect/http"
import { TestClock } from "effect/testing"

const usage: Usage = { contentEvents: 3, characters: 14, outputTokens: 4, tokens: "estimate" }
const meter = { snapshot: () => usage }

/** A stream the relay took at `startedAt`, under a profile whose pool limit is `pool` ("none": no limit). */
const live = (requestId = "r1", startedAt = 0, pool: number | "none" = 5_000) =>
  new LiveStream(
    { requestId, endpoint: "openaiChat", profile: "chat", upstream: "openai", model: "gpt-x" },
    startedAt,
    { pool: pool === "none" ? undefined : pool, drainWindow: 10_000 },
    meter
  )

const attempt = (
  upstream = "openai",
  number = 1,
  role: AttemptInfo["role"] = "primary"
): AttemptInfo & { result: string } => ({
  upstream,
  attempt: number,
  role,
  result: "pending"
})

/** The guard's rule for its next limit (the kernel's own tests hold it): the least left of the running readings. */
const leastLeft = (readings: ReadonlyArray<Reading>): Next | undefined =>
  readings
    .filter((r) => r.running && (r.events === undefined || r.events.seen < r.events.needed))
    .map((r) => ({ limit: r.limit, leftMillis: Math.max(0, r.limitMillis - r.elapsedMillis) }))
    .reduce<Next | undefined>(
      (least, next) => least === undefined || next.leftMillis < least.leftMillis ? next : least,
      undefined
    )

/** A guard's snapshot at `at`, started at 1,000, with what a test sets. */
const snapshot = (at: number, fields: Partial<StreamSnapshot> = {}): StreamSnapshot => ({
  at,
  startedAt: 1_000,
  phase: undefined,
  phaseAt: undefined,
  openedAt: undefined,
  firstChunkAt: undefined,
  lastEventAt: 1_000,
  chunks: 0,
  keepalives: 0,
  bytes: 0,
  waiting: true,
  closed: false,
  readings: [],
  next: leastLeft(fields.readings ?? []),
  ...fields
})

/** A stream admitted at 1,000 whose guard says `fields` at `at`. */
const guarded = (at: number, fields: Partial<StreamSnapshot>, requestId = "r1") => {
  const stream = live(requestId)
  const info = attempt()
  stream.attempt(info, 1_000)
  const said = snapshot(at, fields)
  stream.watch(info, { snapshot: () => said, nextLimit: () => said.next })
  return stream
}

const at = (now: number, more: Partial<Moment> = {}): Moment => ({ now, drainTimeout: 30_000, ...more })

// A stream's row as the view makes it: weighed at the moment, then made into a row.
const rowOf = (stream: LiveStream, moment: Moment): StreamRow => rowOfWeighed(weigh(stream, moment), moment)

const bars = (row: StreamRow) => row.bars.map((b) => `${b.name} ${b.ms}/${b.of}${b.paused ? " paused" : ""}`)

describe("the streams view: phases", () => {
  it("waiting for admission: the profile's pool limit is its bar, counted from when the relay took it", () => {
    const row = rowOf(live("r1", 1_000), at(3_500))
    assert.deepStrictEqual([row.phase, row.phaseMs, row.silentMs, bars(row)], ["admission", 2_500, 2_500, [
      "pool 2500/5000"
    ]])
    assert.deepStrictEqual([row.next, row.leftMs, row.attempt], ["pool", 2_500, 0])
    // A profile without a pool limit is refused at once rather than queued: no bar.
    assert.deepStrictEqual(rowOf(live("r2", 1_000, "none"), at(3_500)).bars, [])
  })

  it("waiting for headers: the request's phase limit (connect, headers) from the guard", () => {
    const stream = guarded(4_000, {
      phase: "headers",
      phaseAt: 3_000,
      readings: [
        { limit: "headers", elapsedMillis: 1_000, limitMillis: 10_000, running: true },
        { limit: "total", elapsedMillis: 3_000, limitMillis: 120_000, running: true }
      ]
    })
    const row = rowOf(stream, at(4_000))
    assert.deepStrictEqual([row.phase, row.phaseMs, row.next, row.leftMs], ["headers", 3_000, "headers", 9_000])
    // An attempt whose guard has not run yet is waiting for its headers too.
    const opening = live()
    opening.attempt(attempt(), 1_000)
    assert.deepStrictEqual([rowOf(opening, at(1_200)).phase, rowOf(opening, at(1_200)).phaseMs], ["headers", 200])
  })

  it("waiting for first content, then streaming: in phase since the headers, then since the first content", () => {
    const waiting = rowOf(guarded(9_000, { openedAt: 2_000, lastEventAt: 2_000 }), at(9_000))
    assert.deepStrictEqual([waiting.phase, waiting.phaseMs, waiting.silentMs], ["first_content", 7_000, 7_000])
    const streaming = rowOf(
      guarded(9_000, { openedAt: 2_000, firstChunkAt: 3_000, lastEventAt: 8_000, chunks: 4, keepalives: 2, bytes: 90 }),
      at(9_000)
    )
    assert.deepStrictEqual(
      [streaming.phase, streaming.phaseMs, streaming.silentMs, streaming.chunks, streaming.keepalives, streaming.bytes],
      ["streaming", 6_000, 1_000, 4, 2, 90]
    )
    assert.deepStrictEqual(streaming.usage, usage)
  })

  it("draining after the client left (drain): the drain window is a bar; a cancelled one is not draining", () => {
    const drained = guarded(12_000, { openedAt: 2_000, firstChunkAt: 3_000 })
    drained.left("drain", 10_000)
    const row = rowOf(drained, at(12_000))
    assert.deepStrictEqual([row.phase, row.phaseMs, bars(row)], ["draining", 2_000, ["drainWindow 2000/10000"]])
    const cancelled = guarded(12_000, { openedAt: 2_000, firstChunkAt: 3_000 })
    cancelled.left("cancel", 10_000)
    assert.strictEqual(rowOf(cancelled, at(12_000)).phase, "streaming")
  })

  it("shutting down: every stream, with the drain timeout as a bar counted from the shutdown", () => {
    const row = rowOf(guarded(20_000, { openedAt: 2_000, firstChunkAt: 3_000 }), at(20_000, { shutdownAt: 15_000 }))
    assert.deepStrictEqual([row.phase, row.phaseMs, bars(row), row.next], [
      "shutting_down",
      5_000,
      ["drainTimeout 5000/30000"],
      "drainTimeout"
    ])
  })
})

describe("the streams view: bars", () => {
  it("shows every reading of the guard, paused ones too, and takes what ends the stream first from the guard", () => {
    const stream = guarded(10_000, {
      openedAt: 2_000,
      firstChunkAt: 3_000,
      readings: [
        { limit: "chunk", elapsedMillis: 9_000, limitMillis: 10_000, running: false },
        { limit: "progress", elapsedMillis: 5_000, limitMillis: 20_000, running: true },
        {
          limit: "minRate",
          elapsedMillis: 9_500,
          limitMillis: 10_000,
          running: true,
          events: { seen: 6, needed: 5 }
        },
        { limit: "total", elapsedMillis: 9_000, limitMillis: 22_000, running: true }
      ],
      next: { limit: "total", leftMillis: 13_000 }
    })
    const row = rowOf(stream, at(10_000))
    assert.deepStrictEqual(bars(row), [
      "chunk 9000/10000 paused",
      "progress 5000/20000",
      "minRate 9500/10000",
      "total 9000/22000"
    ])
    assert.deepStrictEqual([row.next, row.leftMs], ["total", 13_000])
    assert.deepStrictEqual([row.bars[2]!.seen, row.bars[2]!.needed], [6, 5])
  })

  it("the relay's own limits end it first when they have less left than the guard's next", () => {
    const readings: Array<Reading> = [{ limit: "chunk", elapsedMillis: 1_000, limitMillis: 30_000, running: true }]
    const draining = guarded(12_000, { openedAt: 2_000, firstChunkAt: 3_000, readings })
    draining.left("drain", 10_000)
    assert.deepStrictEqual([rowOf(draining, at(12_000)).next, rowOf(draining, at(12_000)).leftMs], [
      "drainWindow",
      8_000
    ])
    const far = guarded(12_000, { openedAt: 2_000, firstChunkAt: 3_000, readings })
    far.left("drain", 10_000)
    const shutting = rowOf(far, at(12_000, { shutdownAt: 11_000, drainTimeout: 5_000 }))
    assert.deepStrictEqual([shutting.next, shutting.leftMs], ["drainTimeout", 4_000])
  })
})

describe("the registry", () => {
  it("keeps the last `capacity` ends in its ring, oldest first, and counts every end by outcome", () => {
    const inFlight = new InFlight(3)
    const streams = Array.from({ length: 5 }, (_, i) => inFlight.add(live(`r${i + 1}`)))
    assert.strictEqual(inFlight.size, 5)
    streams.forEach((stream, i) =>
      inFlight.end(stream, {
        upstream: "openai",
        outcome: i % 2 === 0 ? "done" : "chunk_timeout",
        status: 200,
        durationMs: 100 * i,
        attempts: 1,
        usage
      }, 10_000 + i)
    )
    assert.strictEqual(inFlight.size, 0)
    assert.deepStrictEqual(inFlight.recent().map((end) => [end.seq, end.requestId, end.outcome]), [
      [3, "r3", "done"],
      [4, "r4", "chunk_timeout"],
      [5, "r5", "done"]
    ])
    assert.deepStrictEqual(inFlight.recent(4).map((end) => end.seq), [5])
    assert.deepStrictEqual(inFlight.recent(5), [])
    // An end told twice is counted once.
    inFlight.end(streams[0]!, { upstream: "openai", outcome: "done", status: 200, durationMs: 1 }, 20_000)
    const view = inFlight.view({ ...at(20_000), slots: { slots: { inUse: 0, limit: 8 }, upstreams: {} } })
    assert.deepStrictEqual(view.outcomes, { done: 3, chunk_timeout: 2 })
    assert.strictEqual(view.lastEnd, 5)
    assert.strictEqual(view.ends[0]!.phase, "admission")
  })

  it("lists the nearest to a limit first, at most `limit` rows, and counts the admission's queue", () => {
    const inFlight = new InFlight()
    const relaxed = inFlight.add(guarded(10_000, {
      openedAt: 2_000,
      firstChunkAt: 3_000,
      readings: [{ limit: "chunk", elapsedMillis: 1_000, limitMillis: 30_000, running: true }]
    }, "relaxed"))
    const urgent = inFlight.add(guarded(10_000, {
      openedAt: 2_000,
      firstChunkAt: 3_000,
      readings: [{ limit: "chunk", elapsedMillis: 29_000, limitMillis: 30_000, running: true }]
    }, "urgent"))
    inFlight.add(live("queued", 8_000))
    inFlight.add(live("queued-longer", 7_500))
    const view = inFlight.view({ ...at(10_000), limit: 3, slots: { slots: { inUse: 2, limit: 2 }, upstreams: {} } })
    assert.strictEqual(view.inFlight, 4)
    assert.deepStrictEqual(view.streams.map((row) => [row.requestId, row.leftMs]), [
      [urgent.origin.requestId, 1_000],
      ["queued-longer", 2_500],
      ["queued", 3_000]
    ])
    assert.notInclude(view.streams.map((row) => row.requestId), relaxed.origin.requestId)
    assert.deepStrictEqual(view.admission, {
      waiting: 2,
      longestWaitMs: 2_500,
      slots: { inUse: 2, limit: 2 },
      upstreams: {}
    })
  })

  it("ranks every stream by its guard's next limit, and reads a snapshot only of the rows it shows", () => {
    const inFlight = new InFlight()
    let snapshots = 0
    for (let i = 0; i < 50; i++) {
      const stream = inFlight.add(live(`s${i}`))
      const info = attempt()
      stream.attempt(info, 1_000)
      const said = snapshot(10_000, {
        openedAt: 2_000,
        firstChunkAt: 3_000,
        readings: [{ limit: "chunk", elapsedMillis: (i * 7_919) % 30_000, limitMillis: 30_000, running: true }]
      })
      stream.watch(info, { snapshot: () => (snapshots++, said), nextLimit: () => said.next })
    }
    const view = inFlight.view({ ...at(10_000), limit: 5, slots: { slots: { inUse: 50, limit: 64 }, upstreams: {} } })
    assert.strictEqual(snapshots, 5)
    const lefts = view.streams.map((row) => row.leftMs!)
    const all = Array.from({ length: 50 }, (_, i) => 30_000 - (i * 7_919) % 30_000).sort((a, b) => a - b)
    assert.deepStrictEqual(lefts, all.slice(0, 5))
  })

  it("reads limit and after from the query, and names the parameter it refuses", () => {
    assert.deepStrictEqual(readQuery(new URLSearchParams("limit=200&after=17")), { limit: 200, after: 17 })
    assert.deepStrictEqual(readQuery(new URLSearchParams("")), {})
    assert.deepStrictEqual(readQuery(new URLSearchParams("limit=-1")), {
      error: "limit must be a whole number, not \"-1\"",
      param: "limit"
    })
    assert.strictEqual((readQuery(new URLSearchParams("key=x")) as { param: string }).param, "key")
  })
})

const dialect = Dialects.openaiChat

const target = (name: string): Attempt.Target => ({
  upstream: name,
  request: HttpClientRequest.post(`https://${name}.test/v1/chat/completions`).pipe(
    HttpClientRequest.bodyJsonUnsafe({ model: "m", stream: true, messages: [{ role: "user", content: "Hi" }] })
  )
})

describe("the streams view of a relayed stream, under TestClock", () => {
  it.effect("follows the fallback that served: attempt 2, every attempt tried, its guard's chunk bar", () =>
    Effect.gen(function*() {
      const clock = yield* Clock.Clock
      const stream = live("fallback", 0)
      const link: Attempt.Link<unknown> = {
        observe: (info) => {
          stream.attempt(info, clock.currentTimeMillisUnsafe())
          return StreamObserver.noopService
        },
        watch: (info, guard) => stream.watch(info, guard),
        waiting: Effect.void
      }
      const scope = yield* Scope.make()
      const plan: Failover.Plan<unknown> = {
        targets: [target("a"), target("b")] as unknown as Arr.NonEmptyReadonlyArray<Attempt.Target>,
        dialect: dialect as never,
        hedgeAfter: Option.none(),
        maxHedges: 0
      }
      // The relay pulls the winner for as long as it runs: its idle limits count while it waits.
      yield* Effect.forkChild(
        Effect.flatMap(Failover.start(plan, link, scope), (started) => Effect.forever(started.pull)),
        { startImmediately: true }
      )
      yield* TestClock.adjust("500 millis")
      const waiting = rowOf(stream, at(500))
      assert.deepStrictEqual([waiting.phase, waiting.attempt, waiting.role, waiting.upstream], [
        "first_content",
        2,
        "fallback",
        "b"
      ])
      yield* TestClock.adjust("3500 millis")
      const row = rowOf(stream, at(4_000))
      assert.deepStrictEqual([row.phase, row.phaseMs, row.silentMs, row.chunks, row.next], [
        "streaming",
        3_000,
        3_000,
        1,
        "chunk"
      ])
      assert.deepStrictEqual(row.tried, [
        { upstream: "a", role: "primary", result: "upstream_http_error" },
        { upstream: "b", role: "fallback", result: "served" }
      ])
      assert.deepStrictEqual(bars(row), ["chunk 3000/10000", "total 4000/30000"])
      // Ranked from the guard's next limit alone, the stream stands where its row says.
      const ranked = rank(stream, at(4_000))
      assert.deepStrictEqual([ranked.next, ranked.leftMs, row.leftMs], ["chunk", 7_000, 7_000])
      yield* Scope.close(scope, Exit.void)
    }).pipe(Effect.provide(Layer.mergeAll(
      TestUpstream.layer((request) =>
        new URL(request.url).hostname === "a.test"
          ? Scenario.httpError({ status: 503 })
          : [Step.wait("1 second"), Step.chunk("from b"), Step.wait("60 seconds"), Step.done]
      ),
      RequestProfile.layer("test", TimeoutPolicy.make({ chunk: Duration.seconds(10), total: Duration.seconds(30) }))
    ))))
})
