import { assert, describe, it } from "@effect/vitest"
import type { StreamEvent } from "@streamguard/core"
import { Guard, Profiles, StreamMetrics, StreamObserver, TimeoutError, TimeoutPolicy } from "@streamguard/core"
import type { Duration } from "effect"
import { Effect, Fiber, Metric, Ref, Stream } from "effect"
import { TestClock } from "effect/testing"
import { chunk, closing, done, errorSignal, forever, keepalive, script, wait } from "./fixtures/Upstream.js"

const chat = Profiles.builtins.chat

/**
 * Runs `body` guarded by `policy` under a recording observer, moving the clock by `advance`
 * (then interrupting when `interrupt`), and returns what the observer heard.
 */
const record = <E>(
  body: Stream.Stream<string, E>,
  options: { readonly advance?: Duration.Input; readonly interrupt?: boolean } = {}
) =>
  Effect.gen(function*() {
    const recording = yield* StreamObserver.makeRecording
    const fiber = yield* body.pipe(
      Stream.runDrain,
      Effect.forkChild({ startImmediately: true }),
      Effect.provide(StreamObserver.layer(recording.observer))
    )
    if (options.advance !== undefined) yield* TestClock.adjust(options.advance)
    if (options.interrupt === true) yield* Fiber.interrupt(fiber)
    else yield* Fiber.await(fiber)
    return recording
  })

describe("StreamObserver", () => {
  describe("lifecycle", () => {
    it.effect("done: started, a received per batch, firstChunk once, ended:done with the totals", () =>
      Effect.gen(function*() {
        const recording = yield* record(
          script(keepalive, wait("2 seconds"), chunk("ab"), wait("1 second"), [chunk("c"), done]).pipe(
            Guard.guard(chat, { labels: { profile: "chat" } })
          ),
          { advance: "3 seconds" }
        )
        assert.deepStrictEqual(yield* recording.steps, [
          "started",
          "opened",
          "received",
          "received",
          "firstChunk",
          "received",
          "ended:done"
        ])
        const calls = yield* recording.calls
        assert.deepStrictEqual(
          calls.flatMap((call) => (call._tag === "received" ? [call.received] : [])),
          [
            { gapMillis: 0, chunks: 0, keepalives: 1, bytes: 8 },
            { gapMillis: 2000, chunks: 1, keepalives: 0, bytes: 2 },
            { gapMillis: 1000, chunks: 1, keepalives: 0, bytes: 13 }
          ]
        )
        assert.deepStrictEqual(
          calls.flatMap((call) => (call._tag === "firstChunk" ? [call.timeToFirstChunkMillis] : [])),
          [2000]
        )
        assert.deepStrictEqual(calls[0]?.stream.labels, { profile: "chat" })
        const [ended] = yield* recording.ended
        assert.deepStrictEqual(ended, {
          outcome: "done",
          durationMillis: 3000,
          timeToFirstChunkMillis: 2000,
          chunks: 2,
          keepalives: 1,
          bytes: 23,
          error: undefined
        })
      }))

    const failures: ReadonlyArray<
      readonly [string, Stream.Stream<string, unknown>, ReadonlyArray<string>]
    > = [
      ["error_signal", script(chunk("a"), errorSignal).pipe(Guard.guard(chat)), [
        "started",
        "opened",
        "received",
        "firstChunk",
        "received",
        "ended:error_signal"
      ]],
      ["unexpected_end", script(chunk("a")).pipe(Guard.guard(chat)), [
        "started",
        "opened",
        "received",
        "firstChunk",
        "ended:unexpected_end"
      ]],
      ["chunk_timeout", Stream.concat(script(chunk("a")), Stream.never).pipe(Guard.guard(chat)), [
        "started",
        "opened",
        "received",
        "firstChunk",
        "ended:chunk_timeout"
      ]],
      [
        "progress_timeout",
        forever("20 seconds", keepalive).pipe(Guard.guard(TimeoutPolicy.unsafeMake({ progress: "50 seconds" }))),
        ["started", "opened", "received", "received", "ended:progress_timeout"]
      ],
      [
        "first_chunk_timeout",
        Stream.never.pipe(Guard.guard(TimeoutPolicy.unsafeMake({ firstChunk: "50 seconds" }))),
        ["started", "opened", "ended:first_chunk_timeout"]
      ],
      [
        "total_timeout",
        forever("20 seconds", chunk("x")).pipe(Guard.guard(TimeoutPolicy.unsafeMake({ total: "50 seconds" }))),
        ["started", "opened", "received", "firstChunk", "received", "ended:total_timeout"]
      ]
    ]

    for (const [outcome, stream, steps] of failures) {
      it.effect(`${outcome}: the sequence ends once with ended:${outcome} and the error`, () =>
        Effect.gen(function*() {
          const recording = yield* record(stream, { advance: "1 minute" })
          assert.deepStrictEqual(yield* recording.steps, steps)
          const [ended] = yield* recording.ended
          assert.strictEqual((ended?.error as { outcome?: string } | undefined)?.outcome, outcome)
        }))
    }

    it.effect("transport_error: an upstream failure of its own ends it with ended:transport_error, once", () =>
      Effect.gen(function*() {
        const upstream = yield* closing(Stream.concat(script(chunk("a")), Stream.fail("socket reset")))
        const recording = yield* record(upstream.stream.pipe(Guard.guard(chat)))
        assert.deepStrictEqual(yield* recording.steps, [
          "started",
          "opened",
          "received",
          "firstChunk",
          "ended:transport_error"
        ])
        assert.strictEqual((yield* recording.ended)[0]?.error, "socket reset")
        assert.strictEqual(yield* Ref.get(upstream.closes), 1)
      }))

    it.effect("interrupted: a caller interrupting the stream ends it with ended:interrupted", () =>
      Effect.gen(function*() {
        const recording = yield* record(forever("1 second", chunk("x")).pipe(Guard.guard(chat)), {
          advance: "2 seconds",
          interrupt: true
        })
        assert.deepStrictEqual(yield* recording.steps, [
          "started",
          "opened",
          "received",
          "firstChunk",
          "received",
          "ended:interrupted"
        ])
      }))

    it.effect("consumer_stopped: a consumer taking only what it needs ends it with ended:consumer_stopped", () =>
      Effect.gen(function*() {
        const recording = yield* record(forever("1 second", chunk("x")).pipe(Guard.guard(chat), Stream.take(2)), {
          advance: "2 seconds"
        })
        assert.deepStrictEqual(yield* recording.steps, [
          "started",
          "opened",
          "received",
          "firstChunk",
          "received",
          "ended:consumer_stopped"
        ])
      }))

    it.effect("ended is told after the upstream's finalizers ran", () =>
      Effect.gen(function*() {
        const upstream = yield* closing(Stream.concat(script(chunk("a")), Stream.never))
        const closesAtEnded = yield* Ref.make(-1)
        const observer = StreamObserver.combine(StreamObserver.noopService, {
          ...StreamObserver.noopService,
          ended: () => Effect.flatMap(Ref.get(upstream.closes), (n) => Ref.set(closesAtEnded, n))
        })
        const fiber = yield* upstream.stream.pipe(
          Guard.guard(chat),
          Stream.runDrain,
          Effect.forkChild({ startImmediately: true }),
          Effect.provide(StreamObserver.layer(observer))
        )
        yield* TestClock.adjust("30 seconds")
        yield* Fiber.await(fiber)
        assert.strictEqual(yield* Ref.get(closesAtEnded), 1)
      }))

    it.effect("layerTest records through the Recorder service", () =>
      Effect.gen(function*() {
        yield* script(chunk("a"), done).pipe(Guard.guard(chat), Stream.runDrain)
        const recorder = yield* StreamObserver.Recorder
        assert.deepStrictEqual(yield* recorder.steps, [
          "started",
          "opened",
          "received",
          "firstChunk",
          "received",
          "ended:done"
        ])
      }).pipe(Effect.provide(StreamObserver.layerTest)))

    it.effect("combine tells every observer, in order", () =>
      Effect.gen(function*() {
        const first = yield* StreamObserver.makeRecording
        const second = yield* StreamObserver.makeRecording
        yield* script(chunk("a"), done).pipe(
          Guard.guard(chat),
          Stream.runDrain,
          Effect.provide(StreamObserver.layer(first.observer, second.observer))
        )
        assert.deepStrictEqual(yield* first.steps, yield* second.steps)
        assert.strictEqual((yield* first.steps).length, 6)
      }))
  })

  describe("metrics", () => {
    const labels = { suite: "metrics" }
    const tagged = <Input, State>(metric: Metric.Metric<Input, State>, outcome?: string) =>
      Metric.withAttributes(metric, outcome === undefined ? { suite: "metrics" } : { suite: "metrics", outcome })

    it.effect("counts streams by outcome, chunks, keepalives, bytes, gaps, first chunks, durations and open streams", () =>
      Effect.gen(function*() {
        const guarded = (stream: Stream.Stream<StreamEvent.StreamEvent<string>>, policy: TimeoutPolicy.TimeoutPolicy) =>
          Guard.guard(stream, policy, { labels })
        // done: 2 chunks (a 1 byte, bc 2 bytes), a keepalive (8 bytes), done (12 bytes), 3 batches.
        yield* guarded(script(chunk("a"), wait("1 second"), keepalive, wait("1 second"), [chunk("bc"), done]), chat)
          .pipe(
            Stream.runDrain,
            Effect.forkChild({ startImmediately: true }),
            Effect.tap(() => TestClock.adjust("2 seconds")),
            Effect.flatMap(Fiber.join)
          )
        // chunk_timeout: nothing at all.
        yield* guarded(Stream.never, chat).pipe(
          Stream.runDrain,
          Effect.forkChild({ startImmediately: true }),
          Effect.tap(() => TestClock.adjust("30 seconds")),
          Effect.flatMap(Fiber.await)
        )
        // consumer_stopped, after one chunk.
        yield* guarded(forever("1 second", chunk("x")), chat).pipe(
          Stream.take(1),
          Stream.runDrain,
          Effect.forkChild({ startImmediately: true }),
          Effect.tap(() => TestClock.adjust("1 second")),
          Effect.flatMap(Fiber.join)
        )
        // interrupted, still open until then.
        const open = yield* guarded(Stream.never, TimeoutPolicy.empty).pipe(
          Stream.runDrain,
          Effect.forkChild({ startImmediately: true })
        )
        yield* TestClock.adjust("1 second")
        assert.strictEqual((yield* Metric.value(tagged(StreamMetrics.streamsOpen))).value, 1)
        yield* Fiber.interrupt(open)

        const ended = (outcome: string) =>
          Effect.map(Metric.value(tagged(StreamMetrics.streamsEnded, outcome)), (state) => state.count)
        assert.deepStrictEqual(
          {
            done: yield* ended("done"),
            chunk_timeout: yield* ended("chunk_timeout"),
            consumer_stopped: yield* ended("consumer_stopped"),
            interrupted: yield* ended("interrupted"),
            total_timeout: yield* ended("total_timeout")
          },
          { done: 1, chunk_timeout: 1, consumer_stopped: 1, interrupted: 1, total_timeout: 0 }
        )
        assert.strictEqual((yield* Metric.value(tagged(StreamMetrics.streamsStarted))).count, 4)
        assert.strictEqual((yield* Metric.value(tagged(StreamMetrics.streamsOpen))).value, 0)
        assert.strictEqual((yield* Metric.value(tagged(StreamMetrics.chunksReceived))).count, 3)
        assert.strictEqual((yield* Metric.value(tagged(StreamMetrics.keepalivesReceived))).count, 1)
        assert.strictEqual((yield* Metric.value(tagged(StreamMetrics.bytesReceived))).count, 1 + 8 + 2 + 12 + 1)
        const gaps = yield* Metric.value(tagged(StreamMetrics.chunkGap))
        // Three batches of the done stream (0 s, 1 s, 1 s) and the stopped stream's one (1 s).
        assert.strictEqual(gaps.count, 4)
        assert.strictEqual(gaps.sum, 3)
        const firstChunks = yield* Metric.value(tagged(StreamMetrics.timeToFirstChunk))
        assert.strictEqual(firstChunks.count, 2)
        assert.strictEqual(firstChunks.max, 1)
        const durations = yield* Metric.value(tagged(StreamMetrics.streamDuration))
        assert.strictEqual(durations.count, 4)
        assert.strictEqual(durations.max, 30)
      }).pipe(Effect.provide(StreamMetrics.layer)))

    it.effect("a retry is counted by the outcome of the failed attempt", () =>
      Effect.gen(function*() {
        const stream = { id: 1, labels: { suite: "retries" }, startedAt: 0 }
        yield* StreamMetrics.observer.retrying(stream, { attempt: 1, outcome: "chunk_timeout", delayMillis: 100 })
        const state = yield* Metric.value(
          Metric.withAttributes(StreamMetrics.retries, { outcome: "chunk_timeout", suite: "retries" })
        )
        assert.strictEqual(state.count, 1)
      }))

    it.effect("metric names carry the streamguard_ prefix", () =>
      Effect.gen(function*() {
        yield* script(chunk("a"), done).pipe(Guard.guard(chat), Stream.runDrain)
        const names = (yield* Metric.snapshot).map((snapshot) => snapshot.id)
        for (
          const name of [
            "streamguard_streams_started_total",
            "streamguard_streams_ended_total",
            "streamguard_streams_open",
            "streamguard_chunks_received_total",
            "streamguard_bytes_received_total",
            "streamguard_time_to_first_chunk_seconds",
            "streamguard_chunk_gap_seconds",
            "streamguard_stream_duration_seconds"
          ]
        ) assert.include(names, name)
      }).pipe(Effect.provide(StreamMetrics.layer)))
  })

  it.effect("the guard works with no observer provided (the noop default)", () =>
    Effect.gen(function*() {
      const error = yield* Stream.never.pipe(
        Guard.guard(TimeoutPolicy.unsafeMake({ total: "1 second" })),
        Stream.runDrain,
        Effect.forkChild({ startImmediately: true }),
        Effect.tap(() => TestClock.adjust("1 second")),
        Effect.flatMap(Fiber.join),
        Effect.flip
      )
      assert.instanceOf(error, TimeoutError.TotalTimeout)
    }))
})
