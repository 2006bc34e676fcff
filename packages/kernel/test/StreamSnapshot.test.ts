import { StreamEvent } from "@streamguard/kernel"
import type { Next, Reading, StreamSnapshot } from "@streamguard/kernel/StreamSnapshot"
import { assert, describe, it } from "vitest"
import type { Stream } from "./fixtures/Engine.js"
import { consumer, setup, stream } from "./fixtures/Engine.js"

const chunk = (value: string) => StreamEvent.Chunk({ value, bytes: value.length })
const keepalive = StreamEvent.Keepalive({ bytes: 1 })

/** Each reading as `limit elapsed/limit`, with `paused` when it stands still. */
const bars = (snapshot: StreamSnapshot): Array<string> =>
  snapshot.readings.map((r) => `${r.limit} ${r.elapsedMillis}/${r.limitMillis}${r.running ? "" : " paused"}`)

/** The moment the least-left running reading expires: what the scheduler should hold. */
const nextDeadline = (snapshot: StreamSnapshot): number => {
  const running = snapshot.readings.filter((r: Reading) => r.running)
  return Math.min(...running.map((r) => snapshot.at + r.limitMillis - r.elapsedMillis))
}

/** What ends the stream first, read from its readings: the least left of the running ones, a met `minRate` aside. */
const leastLeft = (snapshot: StreamSnapshot): Next | undefined => {
  let next: Next | undefined
  for (const r of snapshot.readings) {
    if (!r.running || (r.events !== undefined && r.events.seen >= r.events.needed)) continue
    const leftMillis = Math.max(0, r.limitMillis - r.elapsedMillis)
    if (next === undefined || leftMillis < next.leftMillis) next = { limit: r.limit, leftMillis }
  }
  return next
}

/**
 * The snapshot agrees with the engine: its nearest running deadline is the one `due` reports, and
 * its `next` is the least left of its readings, as `nextLimit` tells it without a snapshot.
 */
const agrees = <B>(state: Stream<B>, now: number) => {
  const snapshot = state.snapshot(now)
  assert.strictEqual(nextDeadline(snapshot), state.due(now), bars(snapshot).join(", "))
  assert.deepStrictEqual(snapshot.next, leastLeft(snapshot), bars(snapshot).join(", "))
  assert.deepStrictEqual(state.nextLimit(now), snapshot.next)
  return snapshot
}

describe("StreamSnapshot", () => {
  it("before the response: the phase's limit counts from the phase, total from the start", () => {
    const clock = setup()
    const { state } = stream(clock, { connect: 10_000, chunk: 30_000, total: 60_000 }, { opened: false })
    consumer(state).pull()
    clock.advance(2_000)
    state.phase("connect")
    clock.advance(3_000)
    const snapshot = agrees(state, clock.time)
    assert.deepStrictEqual(
      [snapshot.phase, snapshot.phaseAt, snapshot.openedAt, bars(snapshot)],
      ["connect", 2_000, undefined, ["connect 3000/10000", "total 5000/60000"]]
    )
  })

  it("streaming: chunk counts the silence since the last event, progress since the last content", () => {
    const clock = setup()
    const { state } = stream(clock, { chunk: 10_000, progress: 25_000, total: 60_000 })
    consumer(state).pull()
    clock.advance(1_000)
    state.events([chunk("a")])
    clock.advance(4_000)
    state.events([keepalive])
    clock.advance(3_000)
    const snapshot = agrees(state, clock.time)
    assert.deepStrictEqual(bars(snapshot), ["chunk 3000/10000", "progress 7000/25000", "total 8000/60000"])
    assert.deepStrictEqual(
      [snapshot.chunks, snapshot.keepalives, snapshot.bytes, snapshot.firstChunkAt, snapshot.lastEventAt],
      [1, 1, 2, 1_000, 5_000]
    )
  })

  it("firstChunk stands in for chunk and progress until the first content", () => {
    const clock = setup()
    const { state } = stream(clock, { firstChunk: 90_000, chunk: 10_000, progress: 20_000 })
    consumer(state).pull()
    clock.advance(40_000)
    assert.deepStrictEqual(bars(agrees(state, clock.time)), ["firstChunk 40000/90000"])
    state.events([chunk("a")])
    clock.advance(2_000)
    assert.deepStrictEqual(bars(agrees(state, clock.time)), ["chunk 2000/10000", "progress 2000/20000"])
  })

  it("a busy consumer: the idle limits stand still, total runs on", () => {
    const clock = setup()
    const { state } = stream(clock, { chunk: 10_000, progress: 20_000, total: 60_000 })
    const reader = consumer(state, { eager: false })
    reader.pull()
    clock.advance(3_000)
    state.events([chunk("a")])
    clock.advance(15_000)
    const busy = state.snapshot(clock.time)
    assert.isFalse(busy.waiting)
    assert.deepStrictEqual(bars(busy), ["chunk 0/10000 paused", "progress 0/20000 paused", "total 18000/60000"])
    reader.pull()
    clock.advance(4_000)
    assert.deepStrictEqual(bars(agrees(state, clock.time)), [
      "chunk 4000/10000",
      "progress 4000/20000",
      "total 22000/60000"
    ])
  })

  it("minRate: the window's time and its content events so far", () => {
    const clock = setup()
    const { state } = stream(clock, { minRate: { events: 5, windowMillis: 10_000 } })
    consumer(state).pull()
    state.events([chunk("a")])
    clock.advance(2_000)
    state.events([chunk("b"), chunk("c")])
    clock.advance(1_000)
    const snapshot = agrees(state, clock.time)
    assert.deepStrictEqual(snapshot.readings, [{
      limit: "minRate",
      elapsedMillis: 3_000,
      limitMillis: 10_000,
      running: true,
      events: { seen: 2, needed: 5 }
    }])
  })

  it("next: the running limit with the least left; a minRate window that has its events, or a paused limit, ends nothing", () => {
    const clock = setup()
    const { state } = stream(clock, { chunk: 30_000, total: 60_000, minRate: { events: 2, windowMillis: 10_000 } })
    const reader = consumer(state, { eager: false })
    reader.pull()
    state.events([chunk("a"), chunk("b"), chunk("c")])
    clock.advance(9_000)
    // The window ends in 1 s with 3 of its 2 events: it starts the next one, and ends nothing.
    assert.deepStrictEqual(agrees(state, clock.time).next, { limit: "total", leftMillis: 51_000 })
    reader.pull()
    clock.advance(500)
    // The consumer waits again: chunk runs, with less left than total.
    assert.deepStrictEqual(agrees(state, clock.time).next, { limit: "chunk", leftMillis: 29_500 })
  })

  it("reasoning counts from the first reasoning content, until the answer begins", () => {
    const clock = setup()
    const { state } = stream(clock, { reasoning: 30_000, progress: 20_000 }, {
      options: { isReasoning: (value: string) => value.startsWith("think") }
    })
    consumer(state).pull()
    state.events([chunk("think 1")])
    clock.advance(5_000)
    state.events([chunk("think 2")])
    clock.advance(1_000)
    assert.deepStrictEqual(bars(agrees(state, clock.time)), ["progress 1000/20000", "reasoning 6000/30000"])
    state.events([chunk("the answer")])
    assert.deepStrictEqual(bars(state.snapshot(clock.time)), ["progress 0/20000"])
  })

  it("an ended stream has no running limit", () => {
    const clock = setup()
    const { state } = stream(clock, { chunk: 1_000, total: 5_000 })
    const reader = consumer(state)
    reader.pull()
    clock.advance(1_000)
    assert.strictEqual(reader.error?._tag, "ChunkTimeout")
    const snapshot = state.snapshot(clock.time)
    assert.deepStrictEqual([snapshot.closed, snapshot.readings, snapshot.next], [true, [], undefined])
    assert.strictEqual(state.nextLimit(clock.time), undefined)
  })
})
