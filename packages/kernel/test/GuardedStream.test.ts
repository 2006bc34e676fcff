import { Feed, StreamEvent } from "@streamguard/kernel"
import { done } from "@streamguard/kernel/StreamTiming"
import { assert, describe, it } from "vitest"
import { consumer, setup, stream } from "./fixtures/Engine.js"

const chunk = (value: string) => StreamEvent.Chunk({ value, bytes: value.length })
const keepalive = StreamEvent.Keepalive({ bytes: 1 })

describe("GuardedStream: the idle limits", () => {
  it("a silent stream fails at exactly its chunk limit, its transport aborted before the consumer hears", () => {
    const clock = setup()
    const { log, state } = stream(clock, { chunk: 30_000 })
    const reader = consumer(state, { log })
    reader.pull()
    clock.advance(29_999)
    assert.isUndefined(reader.end, "still running at 29,999 ms")
    clock.advance(1)
    assert.deepStrictEqual(reader.error, {
      _tag: "ChunkTimeout",
      outcome: "chunk_timeout",
      limitMillis: 30_000,
      elapsedMillis: 30_000,
      chunks: 0,
      sinceLastEventMillis: 30_000,
      lastEvent: "none"
    })
    assert.isBelow(log.indexOf("abort"), log.indexOf("woken"))
    assert.deepStrictEqual(state.ended().outcome, "chunk_timeout")
  })

  it("an event moves the deadline: a keepalive at 10 s fails it at 40 s", () => {
    const clock = setup()
    const { state } = stream(clock, { chunk: 30_000 })
    const reader = consumer(state)
    reader.pull()
    clock.advance(10_000)
    state.events([keepalive])
    clock.advance(29_999)
    assert.isUndefined(reader.end)
    clock.advance(1)
    assert.strictEqual(reader.error?._tag, "ChunkTimeout")
    assert.strictEqual(reader.error?.sinceLastEventMillis, 30_000)
    assert.strictEqual(reader.error?.lastEvent, "keepalive")
  })

  it("runs only while the consumer waits: a busy consumer is not taken for a silent upstream", () => {
    const clock = setup()
    const { state } = stream(clock, { chunk: 30_000 })
    const reader = consumer(state, { eager: false })
    reader.pull()
    state.events([chunk("a")])
    // Busy with "a" for a minute: no limit runs.
    clock.advance(60_000)
    assert.deepStrictEqual([reader.got, reader.end], [["a"], undefined])
    // Waiting again from 60 s: the upstream has 30 s from there.
    reader.pull()
    clock.advance(29_999)
    assert.isUndefined(reader.end)
    clock.advance(1)
    assert.strictEqual(reader.error?._tag, "ChunkTimeout")
    assert.strictEqual(reader.error?.elapsedMillis, 90_000)
  })

  it("progress: keepalives keep chunk happy but not progress", () => {
    const clock = setup()
    const { state } = stream(clock, { chunk: 10_000, progress: 25_000 })
    const reader = consumer(state)
    reader.pull()
    for (let i = 0; i < 3; i++) {
      clock.advance(8_000)
      state.events([keepalive])
    }
    assert.strictEqual(reader.error?._tag, undefined)
    clock.advance(1_000)
    assert.strictEqual(reader.error?._tag, "ProgressTimeout")
    assert.strictEqual(reader.error?.elapsedMillis, 25_000)
  })

  it("firstChunk replaces chunk and progress until the first content, then they apply", () => {
    const clock = setup()
    const { state } = stream(clock, { firstChunk: 60_000, chunk: 10_000 })
    const reader = consumer(state)
    reader.pull()
    clock.advance(59_000)
    state.events([chunk("a")])
    clock.advance(9_999)
    assert.isUndefined(reader.end)
    clock.advance(1)
    assert.strictEqual(reader.error?._tag, "ChunkTimeout")

    const silent = stream(clock, { firstChunk: 60_000, chunk: 10_000 })
    const waiting = consumer(silent.state)
    waiting.pull()
    clock.advance(60_000)
    assert.strictEqual(waiting.error?._tag, "FirstChunkTimeout")
  })
})

describe("GuardedStream: an event at exactly its deadline", () => {
  it("is in time, though the clock would have woken the deadline's sleep first", () => {
    const clock = setup()
    const { state } = stream(clock, { firstChunk: 1_000, chunk: 1_000 })
    const reader = consumer(state)
    reader.pull()
    // Started after the stream's own sleep, for the same instant: a clock waking in order of start
    // would run the deadline first.
    clock.sleep(1_000, () => state.events([chunk("a")]))
    clock.advance(1_000)
    assert.deepStrictEqual([reader.got, reader.end], [["a"], undefined])
    clock.sleep(1_000, () => state.events([keepalive]))
    clock.advance(1_000)
    assert.isUndefined(reader.end, "a keepalive at exactly the chunk limit is in time too")
    clock.advance(1_000)
    assert.strictEqual(reader.error?._tag, "ChunkTimeout")
    assert.strictEqual(reader.error?.elapsedMillis, 3_000)
  })

  it("one millisecond later is late, even when it reaches the stream before the clock's wake-up", () => {
    const clock = setup()
    const { log, state } = stream(clock, { firstChunk: 1_000 })
    const reader = consumer(state, { log })
    reader.pull()
    // A busy event loop: the time has moved on, and the timer has not run yet.
    clock.time = 1_001
    state.events([chunk("a")])
    assert.deepStrictEqual(reader.got, [])
    assert.deepStrictEqual(reader.error, {
      _tag: "FirstChunkTimeout",
      outcome: "first_chunk_timeout",
      limitMillis: 1_000,
      elapsedMillis: 1_000,
      chunks: 0,
      sinceLastEventMillis: 1_000,
      lastEvent: "none"
    })
    assert.isBelow(log.indexOf("abort"), log.indexOf("woken"))
  })

  it("the same for the upstream's end, the response's start and the next phase: a late one finds the limit decided", () => {
    const clock = setup()
    const ended = stream(clock, { total: 2_000 })
    const reader = consumer(ended.state)
    reader.pull()
    clock.time = 2_001
    ended.state.end()
    assert.strictEqual(reader.error?._tag, "TotalTimeout")

    const opening = stream(clock, { headers: 1_000, chunk: 30_000 }, { opened: false })
    opening.state.phase("headers")
    const waiting = consumer(opening.state)
    waiting.pull()
    clock.time += 1_000
    opening.state.opened()
    assert.isUndefined(waiting.end, "the response's start at exactly the headers limit is in time")

    const late = stream(clock, { headers: 1_000, chunk: 30_000 }, { opened: false })
    late.state.phase("headers")
    const lateReader = consumer(late.state)
    lateReader.pull()
    clock.time += 1_001
    late.state.opened()
    assert.strictEqual(lateReader.error?._tag, "HeadersTimeout")

    // The next phase, late for the previous one's limit: it does not start that limit over.
    const next = stream(clock, { pool: 1_000, connect: 10_000 }, { opened: false })
    next.state.phase("pool")
    const nextReader = consumer(next.state)
    nextReader.pull()
    clock.time += 1_001
    next.state.phase("connect")
    assert.strictEqual(nextReader.error?._tag, "PoolTimeout")
    assert.strictEqual(nextReader.error?.elapsedMillis, 1_000)
  })
})

describe("GuardedStream: the budgets", () => {
  it("total fires on time while content flows, and while the consumer is busy", () => {
    const clock = setup()
    const { state } = stream(clock, { chunk: 5_000, total: 10_500 })
    const reader = consumer(state)
    reader.pull()
    for (let i = 0; i < 10; i++) {
      clock.advance(1_000)
      state.events([chunk(String(i))])
    }
    clock.advance(499)
    assert.isUndefined(reader.end)
    clock.advance(1)
    assert.strictEqual(reader.error?._tag, "TotalTimeout")
    assert.strictEqual(reader.error?.chunks, 10)
  })

  it("a phase's limit counts from the phase; the response's start ends it", () => {
    const clock = setup()
    const { state } = stream(clock, { connect: 10_000, chunk: 30_000 }, { opened: false })
    const reader = consumer(state)
    reader.pull()
    state.phase("connect")
    clock.advance(9_000)
    state.opened()
    clock.advance(5_000)
    assert.isUndefined(reader.end, "connected in time")
    const late = stream(clock, { connect: 10_000 }, { opened: false })
    const lateReader = consumer(late.state)
    lateReader.pull()
    late.state.phase("connect")
    clock.advance(10_000)
    assert.strictEqual(lateReader.error?._tag, "ConnectTimeout")
  })

  it("a batch is bounded by request alone", () => {
    const clock = setup()
    const { state } = stream(clock, { request: 60_000, chunk: 1_000, total: 2_000 }, {
      options: { kind: "batch" },
      opened: false
    })
    const reader = consumer(state)
    reader.pull()
    clock.advance(59_999)
    assert.isUndefined(reader.end)
    clock.advance(1)
    assert.strictEqual(reader.error?._tag, "RequestTimeout")
  })

  it("minRate: fewer content events than the rate in a window ends the stream at the window's end", () => {
    const clock = setup()
    const { state } = stream(clock, { minRate: { events: 5, windowMillis: 10_000 } })
    const reader = consumer(state)
    reader.pull()
    // The first content opens the window; four more by 4 s, then nothing: one short of five.
    state.events([chunk("a")])
    for (let i = 0; i < 4; i++) {
      clock.advance(1_000)
      state.events([chunk("b")])
    }
    clock.advance(5_999)
    assert.isUndefined(reader.end)
    clock.advance(1)
    assert.deepStrictEqual(
      [reader.error?._tag, reader.error?.minEvents, reader.error?.windowEvents, reader.error?.limitMillis],
      ["SlowStream", 5, 4, 10_000]
    )
  })
})

describe("GuardedStream: the ends", () => {
  it("done ends the stream and releases the connection; what came before it is handed over first", () => {
    const clock = setup()
    const { log, state } = stream(clock, { chunk: 30_000 })
    const reader = consumer(state)
    reader.pull()
    assert.isTrue(state.events([chunk("a"), chunk("b"), StreamEvent.Done({ bytes: 6 })]))
    assert.deepStrictEqual(reader.got, ["a", "b"])
    assert.strictEqual(reader.end, done)
    assert.strictEqual(log[0], "release")
    assert.strictEqual(state.ended().outcome, "done")
    assert.isTrue(state.closed())
  })

  it("an error signal and an end without done fail the stream with the line's errors", () => {
    const clock = setup()
    const signalled = stream(clock, {})
    const reader = consumer(signalled.state)
    reader.pull()
    signalled.state.events([
      chunk("a"),
      StreamEvent.ErrorSignal({ payload: { x: 1 }, errorType: "overloaded_error", message: "busy", bytes: 9 })
    ])
    assert.deepStrictEqual(reader.got, ["a"])
    assert.deepStrictEqual(reader.error, {
      _tag: "UpstreamErrorSignal",
      outcome: "error_signal",
      errorType: "overloaded_error",
      providerMessage: "busy",
      payload: { x: 1 },
      elapsedMillis: 0,
      chunks: 1
    })
    const cut = stream(clock, {})
    const cutReader = consumer(cut.state)
    cutReader.pull()
    cut.state.end()
    assert.strictEqual(cutReader.error?._tag, "UnexpectedEnd")
  })

  it("a transport failure is the stream's; its outcome is what the error knows, else transport_error", () => {
    const clock = setup()
    const { state } = stream(clock, {})
    const reader = consumer(state)
    reader.pull()
    const failure = { outcome: "upstream_http_error" }
    state.fail(failure as never)
    assert.strictEqual(reader.end !== done && reader.end?.error, failure)
    assert.strictEqual(state.ended().outcome, "upstream_http_error")
  })

  it("a decision wins over what was buffered and not taken", () => {
    const clock = setup()
    const { state } = stream(clock, { total: 1_000 })
    const reader = consumer(state, { eager: false })
    state.events([chunk("a")])
    clock.advance(1_000)
    reader.pull()
    assert.deepStrictEqual(reader.got, [])
    assert.strictEqual(reader.error?._tag, "TotalTimeout")
  })

  it("an abort signal ends it with StreamAborted, at once when it has already fired", () => {
    const clock = setup()
    const controller = new AbortController()
    const { state } = stream(clock, {})
    const reader = consumer(state)
    reader.pull()
    const unlisten = state.abortOn(controller.signal)
    controller.abort(new Error("shutting down"))
    assert.deepStrictEqual([reader.error?._tag, reader.error?.reason], ["StreamAborted", "shutting down"])
    unlisten?.()
    const early = stream(clock, {})
    assert.isUndefined(early.state.abortOn(AbortSignal.abort("gone")))
    assert.isTrue(early.state.closed())
  })

  it("the consumer leaving decides an undecided stream: interrupted while it waited, else consumer_stopped", () => {
    const clock = setup()
    const waiting = stream(clock, {})
    consumer(waiting.state).pull()
    waiting.state.leave(false)
    assert.strictEqual(waiting.state.ended().outcome, "interrupted")
    const stopped = stream(clock, {})
    const reader = consumer(stopped.state, { eager: false })
    reader.pull()
    stopped.state.events([chunk("a")])
    stopped.state.leave(false)
    assert.strictEqual(stopped.state.ended().outcome, "consumer_stopped")
  })

  it("onClose runs at release, once the transport has closed; after that at once", () => {
    const clock = setup()
    const { state } = stream(clock, {})
    const closed: Array<string> = []
    state.onClose(() => closed.push("slot"))
    assert.isTrue(state.closeTransport())
    assert.isFalse(state.closeTransport())
    state.onClose(() => closed.push("late"))
    assert.deepStrictEqual(closed, ["late"])
    state.release()
    assert.deepStrictEqual(closed, ["late", "slot"])
  })
})

describe("GuardedStream: backpressure and re-entrancy", () => {
  const many = (n: number) => Array.from({ length: n }, (_, i) => chunk(String(i)))

  it("past the high-water mark the transport pauses, and resumes when the consumer takes the buffer", () => {
    const clock = setup()
    const { log, state } = stream(clock, {})
    const reader = consumer(state, { eager: false })
    assert.isFalse(state.events(many(Feed.highWaterMark)))
    assert.deepStrictEqual(log, ["pause"])
    reader.pull()
    assert.strictEqual(reader.got.length, Feed.highWaterMark)
    assert.deepStrictEqual(log, ["pause", "resume"])
  })

  it("a consumer that runs at once inside the feed takes the buffer and leaves the transport reading", () => {
    const clock = setup()
    const { log, state } = stream(clock, {})
    const reader = consumer(state)
    reader.pull()
    assert.isTrue(state.events(many(Feed.highWaterMark)), "the consumer took it all before the feed returned")
    assert.strictEqual(reader.got.length, Feed.highWaterMark)
    assert.deepStrictEqual(log, ["pause", "resume"])
    assert.isTrue(state.events([chunk("more")]))
    assert.strictEqual(reader.got.at(-1), "more")
  })

  it("a consumer that closes the stream inside the feed that woke it finds the stream consistent", () => {
    const clock = setup()
    const { log, state } = stream(clock, { chunk: 1_000 })
    let closedInside = false
    state.wait(() => {
      state.take()
      state.leave(false)
      closedInside = state.closeTransport()
    })
    state.events([chunk("a")])
    assert.isTrue(closedInside)
    assert.deepStrictEqual(log, ["abort"])
    clock.advance(5_000)
    assert.strictEqual(state.ended().outcome, "consumer_stopped", "nothing came due after the close")
  })

  it("streams due at one moment all close their transports before any consumer is woken", () => {
    const clock = setup()
    const log: Array<string> = []
    for (const name of ["a", "b", "c"]) {
      const { state } = stream(clock, { chunk: 1_000 }, { log, name })
      state.wait(() => log.push(`woken ${name}`))
    }
    clock.advance(1_000)
    assert.deepStrictEqual(log.slice(0, 3).sort(), ["a abort", "b abort", "c abort"])
    assert.deepStrictEqual(log.slice(3).sort(), ["woken a", "woken b", "woken c"])
  })

  it("1,000 streams stalling together each fail at exactly its own limit", () => {
    const clock = setup()
    const readers = Array.from({ length: 1_000 }, (_, i) => {
      const limit = 1_000 + ((i * 7_919) % 1_000)
      const reader = consumer(stream(clock, { chunk: limit }).state)
      reader.pull()
      return { limit, reader, endedAt: -1 }
    })
    for (let t = 0; t < 2_000; t++) {
      clock.advance(1)
      for (const entry of readers) if (entry.endedAt < 0 && entry.reader.end !== undefined) entry.endedAt = clock.time
    }
    for (const { endedAt, limit, reader } of readers) {
      assert.strictEqual(endedAt, limit)
      assert.strictEqual(reader.error?.elapsedMillis, limit)
    }
  })
})

describe("GuardedStream: events, heartbeats and notes", () => {
  it("guardEvents' consumer gets every event up to done, and a heartbeat of the guard's own while it waits", () => {
    const clock = setup()
    const { state } = stream<StreamEvent.StreamEvent<string>>(clock, { chunk: 60_000 }, {
      emit: "events",
      heartbeat: 15_000
    })
    const reader = consumer(state)
    reader.pull()
    state.events([keepalive, chunk("a")])
    clock.advance(15_000)
    assert.deepStrictEqual(reader.got.map(StreamEvent.type), ["keepalive", "chunk", "keepalive"])
    assert.strictEqual(reader.got[2]!.bytes, 0, "the guard's own keepalive")
    state.events([StreamEvent.Done({ bytes: 1 })])
    assert.deepStrictEqual(reader.got.map(StreamEvent.type).at(-1), "done")
    assert.strictEqual(state.ended().keepalives, 1, "a heartbeat counts nowhere")
  })

  it("a heartbeat delivered by onHeartbeat does not wake the consumer, and resets no limit", () => {
    const clock = setup()
    let beats = 0
    const { state } = stream(clock, { chunk: 40_000 }, {
      emit: "events",
      heartbeat: 15_000,
      options: { onHeartbeat: () => ++beats > 0 }
    })
    const reader = consumer(state)
    reader.pull()
    clock.advance(39_999)
    assert.deepStrictEqual([beats, reader.got.length], [2, 0])
    clock.advance(1)
    assert.strictEqual(reader.error?._tag, "ChunkTimeout")
  })

  it("an observed stream keeps notes for its observer, in order, and its end with the totals", () => {
    const clock = setup()
    const { state } = stream(clock, {}, { observed: true, opened: false })
    clock.advance(100)
    state.opened()
    clock.advance(50)
    state.events([keepalive, chunk("ab")])
    assert.deepStrictEqual(state.takeNotes(), [
      { _tag: "opened", openedAfterMillis: 100 },
      { _tag: "received", received: { gapMillis: 50, chunks: 1, keepalives: 1, bytes: 3 } },
      { _tag: "firstChunk", timeToFirstChunkMillis: 150 }
    ])
    assert.isUndefined(state.takeNotes())
    state.events([StreamEvent.Done({ bytes: 1 })])
    assert.deepStrictEqual(state.ended(), {
      outcome: "done",
      durationMillis: 150,
      timeToFirstChunkMillis: 150,
      chunks: 1,
      keepalives: 1,
      bytes: 4,
      error: undefined
    })
    const quiet = stream(clock, {})
    quiet.state.events([chunk("a")])
    assert.isUndefined(quiet.state.takeNotes(), "an unobserved stream keeps none")
  })
})
