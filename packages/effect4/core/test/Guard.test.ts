import { assert, describe, it } from "@effect/vitest"
import { Guard, GuardError, Profiles, StreamEvent, TimeoutError, TimeoutPolicy } from "@streamguard/core"
import type { Scope } from "effect"
import { Duration, Effect, Exit, Fiber, Option, Ref, Stream } from "effect"
import { TestClock } from "effect/testing"
import {
  chunk,
  closing,
  done,
  errorSignal,
  every,
  failureOf,
  forever,
  keepalive,
  script,
  wait
} from "./fixtures/Upstream.js"

const chat = Profiles.builtins.chat
const research = Profiles.builtins.research

const details = (error: TimeoutError.TimeoutDetails) => ({
  limitMillis: error.limitMillis,
  elapsedMillis: error.elapsedMillis,
  chunks: error.chunks,
  sinceLastEventMillis: error.sinceLastEventMillis,
  lastEvent: error.lastEvent
})

/** Runs the guarded stream in a fiber, so the test can move the TestClock. */
const start = <A, E>(stream: Stream.Stream<A, E>) =>
  Effect.forkChild(Stream.runCollect(stream), { startImmediately: true })

const isRunning = <A, E>(fiber: Fiber.Fiber<A, E>) => Effect.sync(() => fiber.pollUnsafe() === undefined)

const contentOf = <E>(exit: Exit.Exit<ReadonlyArray<string>, E>): ReadonlyArray<string> | undefined =>
  Exit.isSuccess(exit) ? exit.value : undefined

/**
 * Asserts that the fiber is still running just before `atMillis` (from now) and has ended at it.
 */
const endsExactlyAt = <A, E>(fiber: Fiber.Fiber<A, E>, atMillis: number) =>
  Effect.gen(function*() {
    yield* TestClock.adjust(atMillis - 1)
    assert.isTrue(yield* isRunning(fiber), `still running at ${atMillis - 1} ms`)
    yield* TestClock.adjust(1)
    return yield* Fiber.await(fiber)
  })

describe("Guard", () => {
  describe("the behaviour table", () => {
    it.effect("Done ends the stream with the content before it, pulls nothing after it, and closes", () =>
      Effect.gen(function*() {
        const pulledAfterDone = yield* Ref.make(false)
        const upstream = yield* closing(
          Stream.concat(script(chunk("a"), [chunk("b"), done]), Stream.fromEffectDrain(Ref.set(pulledAfterDone, true)))
        )
        const out = yield* upstream.stream.pipe(Guard.guard(chat), Stream.runCollect)
        assert.deepStrictEqual(out, ["a", "b"])
        assert.isFalse(yield* Ref.get(pulledAfterDone))
        assert.strictEqual(yield* Ref.get(upstream.closes), 1)
      }))

    it.effect("an error signal fails with UpstreamErrorSignal carrying the provider's error, and closes", () =>
      Effect.gen(function*() {
        const upstream = yield* closing(script(chunk("a"), wait("1 second"), errorSignal, chunk("never")))
        const fiber = yield* start(upstream.stream.pipe(Guard.guard(chat)))
        yield* TestClock.adjust("1 second")
        const error = failureOf(yield* Fiber.await(fiber))
        assert.instanceOf(error, GuardError.UpstreamErrorSignal)
        assert.strictEqual(error.errorType, "overloaded_error")
        assert.strictEqual(error.providerMessage, "Overloaded")
        assert.strictEqual(error.chunks, 1)
        assert.strictEqual(error.elapsedMillis, 1000)
        assert.deepStrictEqual(error.payload, {
          type: "error",
          error: { type: "overloaded_error", message: "Overloaded" }
        })
        assert.strictEqual(error.outcome, "error_signal")
        assert.strictEqual(yield* Ref.get(upstream.closes), 1)
      }))

    it.effect("an upstream that ends without Done fails with UnexpectedEnd, and closes", () =>
      Effect.gen(function*() {
        const upstream = yield* closing(script(chunk("a"), chunk("b")))
        const error = yield* upstream.stream.pipe(Guard.guard(chat), Stream.runCollect, Effect.flip)
        assert.instanceOf(error, GuardError.UnexpectedEnd)
        assert.strictEqual(error.chunks, 2)
        assert.strictEqual(yield* Ref.get(upstream.closes), 1)
      }))

    it.effect("a chunk before the chunk timeout resets it", () =>
      Effect.gen(function*() {
        // Three gaps of 25 s: 75 s of stream, none of them over the 30 s limit.
        const fiber = yield* start(script(...every("25 seconds", 3), done).pipe(Guard.guard(research)))
        yield* TestClock.adjust("75 seconds")
        assert.deepStrictEqual(contentOf(yield* Fiber.await(fiber)), ["c0", "c1", "c2"])
      }))

    it.effect("silence past the chunk timeout fails with ChunkTimeout at exactly the limit, and closes", () =>
      Effect.gen(function*() {
        const upstream = yield* closing(Stream.concat(script(chunk("a")), Stream.never))
        const fiber = yield* start(upstream.stream.pipe(Guard.guard(research)))
        const exit = yield* endsExactlyAt(fiber, 30_000)
        assert.instanceOf(failureOf(exit), TimeoutError.ChunkTimeout)
        assert.strictEqual(yield* Ref.get(upstream.closes), 1)
      }))
  })

  describe("the built-in profiles", () => {
    it.effect("research: a chunk every 20 s runs 15 minutes and completes", () =>
      Effect.gen(function*() {
        const fiber = yield* start(script(...every("20 seconds", 45), done).pipe(Guard.guard(research)))
        yield* TestClock.adjust("15 minutes")
        const out = contentOf(yield* Fiber.await(fiber))
        assert.strictEqual(out?.length, 45)
      }))

    it.effect("chat: the same stream dies at exactly 120 s with TotalTimeout", () =>
      Effect.gen(function*() {
        // Chunks at 29 s, 49 s, ..., 109 s, 129 s, so none lands on a deadline itself (the first chunk's
        // at 30 s, the total at 120 s): an event and a deadline at the very same virtual millisecond
        // come in whichever order the TestClock picks.
        const upstream = yield* closing(script(wait("9 seconds"), ...every("20 seconds", 45), done))
        const fiber = yield* start(upstream.stream.pipe(Guard.guard(chat)))
        const error = failureOf(yield* endsExactlyAt(fiber, 120_000))
        assert.instanceOf(error, TimeoutError.TotalTimeout)
        assert.strictEqual(error.elapsedMillis, 120_000)
        assert.strictEqual(error.limitMillis, 120_000)
        assert.strictEqual(error.chunks, 5)
        assert.strictEqual(error.lastEvent, "chunk")
        // The fifth chunk came at 109 s.
        assert.strictEqual(error.sinceLastEventMillis, 11_000)
        assert.strictEqual(yield* Ref.get(upstream.closes), 1)
      }))

    for (const name of ["research", "mcp"] as const) {
      it.effect(`${name}: an upstream sending only keepalives ends with ProgressTimeout at 10 minutes`, () =>
        Effect.gen(function*() {
          const upstream = yield* closing(forever("29 seconds", keepalive))
          const fiber = yield* start(upstream.stream.pipe(Guard.guard(Profiles.builtins[name])))
          const error = failureOf(yield* endsExactlyAt(fiber, 600_000))
          assert.instanceOf(error, TimeoutError.ProgressTimeout)
          assert.strictEqual(error.lastEvent, "keepalive")
          assert.strictEqual(yield* Ref.get(upstream.closes), 1)
        }))
    }

    for (const name of Profiles.builtinNames) {
      it.effect(`${name}: a non-streaming call whose upstream never answers ends with RequestTimeout`, () =>
        Effect.gen(function*() {
          const policy = Profiles.builtins[name]
          const limit = Duration.toMillis(Option.getOrThrow(TimeoutPolicy.limit(policy, "request")))
          const fiber = yield* start(
            Guard.fromFeed<string, never, never>(
              (feed) => Effect.sync(() => feed.phase("headers")).pipe(Effect.andThen(Effect.never)),
              policy,
              { kind: "batch" }
            )
          )
          const error = failureOf(yield* endsExactlyAt(fiber, limit))
          assert.instanceOf(error, TimeoutError.RequestTimeout)
        }))
    }

    it.effect("a gap of 30 s + 1 ms dies with ChunkTimeout at 30 s", () =>
      Effect.gen(function*() {
        const fiber = yield* start(script(chunk("a"), wait("30001 millis"), chunk("b"), done).pipe(Guard.guard(chat)))
        yield* TestClock.adjust("30001 millis")
        const error = failureOf(yield* Fiber.await(fiber))
        assert.instanceOf(error, TimeoutError.ChunkTimeout)
        assert.strictEqual(error.elapsedMillis, 30_000)
      }))

    it.effect("a gap of 30 s - 1 ms does not", () =>
      Effect.gen(function*() {
        const fiber = yield* start(
          script(chunk("a"), wait("29999 millis"), chunk("b"), wait("29999 millis"), done).pipe(Guard.guard(chat))
        )
        yield* TestClock.adjust("59998 millis")
        assert.deepStrictEqual(contentOf(yield* Fiber.await(fiber)), ["a", "b"])
      }))

    // Tool call 60 s, thinking 90 s, response 30 s, with progress inside each phase: 180 s in all.
    const researchTimeline = script(
      ...every("15 seconds", 4, (i) => chunk(`tool-${i}`)),
      ...every("18 seconds", 5, (i) => chunk(`thinking-${i}`)),
      ...every("5 seconds", 6, (i) => chunk(`answer-${i}`)),
      done
    )

    it.effect("the research timeline (tool 60 s, thinking 90 s, response 30 s) completes under research", () =>
      Effect.gen(function*() {
        const fiber = yield* start(researchTimeline.pipe(Guard.guard(research)))
        yield* TestClock.adjust("180 seconds")
        const out = contentOf(yield* Fiber.await(fiber))
        assert.strictEqual(out?.length, 15)
        assert.strictEqual(out?.at(-1), "answer-5")
      }))

    it.effect("the research timeline dies under chat with TotalTimeout at 120 s, in the thinking phase", () =>
      Effect.gen(function*() {
        const fiber = yield* start(researchTimeline.pipe(Guard.guard(chat)))
        const error = failureOf(yield* endsExactlyAt(fiber, 120_000))
        assert.instanceOf(error, TimeoutError.TotalTimeout)
        // 4 tool chunks by 60 s, then thinking chunks at 78, 96 and 114 s.
        assert.strictEqual(error.chunks, 7)
        assert.strictEqual(error.sinceLastEventMillis, 6_000)
      }))
  })

  describe("a slow consumer is not a silent upstream", () => {
    it.effect("45 s per chunk of an always-ready upstream completes under chunk 30 s and progress 30 s", () =>
      Effect.gen(function*() {
        const upstream = yield* closing(script(chunk("a"), chunk("b"), chunk("c"), chunk("d"), done))
        const fiber = yield* start(
          upstream.stream.pipe(
            Guard.guard(TimeoutPolicy.unsafeMake({ chunk: "30 seconds", progress: "30 seconds" })),
            Stream.mapEffect((value) => Effect.as(Effect.sleep("45 seconds"), value))
          )
        )
        const exit = yield* endsExactlyAt(fiber, 180_000)
        assert.deepStrictEqual(contentOf(exit), ["a", "b", "c", "d"])
        assert.strictEqual(yield* Ref.get(upstream.closes), 1)
      }))

    it.effect("the idle limits still run while the consumer waits: progress fires 30 s into a wait", () =>
      Effect.gen(function*() {
        // Two chunks at once, then only keepalives: the consumer spends 45 s on each chunk, then waits.
        const upstream = Stream.concat(script([chunk("a"), chunk("b")]), forever("10 seconds", keepalive))
        const fiber = yield* start(
          upstream.pipe(
            Guard.guard(TimeoutPolicy.unsafeMake({ chunk: "30 seconds", progress: "30 seconds" })),
            Stream.mapEffect((value) => Effect.as(Effect.sleep("45 seconds"), value))
          )
        )
        // Busy until 90 s, then waiting: no content for 30 s of waiting ends it at 120 s.
        const error = failureOf(yield* endsExactlyAt(fiber, 120_000))
        assert.strictEqual(error?._tag, "ProgressTimeout")
      }))
  })

  describe("many streams, one Clock", () => {
    it.effect(
      "1,000 streams stalling together all end with ChunkTimeout at exactly the limit, each closed once",
      () =>
        Effect.gen(function*() {
          const upstreams = yield* Effect.forEach(
            Array.from({ length: 1000 }),
            () => closing(Stream.concat(script(chunk("a")), Stream.never))
          )
          const fibers = yield* Effect.forEach(
            upstreams,
            (upstream) => start(upstream.stream.pipe(Guard.guard(research)))
          )
          yield* TestClock.adjust("29999 millis")
          const running = yield* Effect.forEach(fibers, isRunning)
          assert.isTrue(running.every((r) => r), "all still running 1 ms before the limit")
          yield* TestClock.adjust("1 millis")
          const errors = yield* Effect.forEach(fibers, (fiber) => Effect.map(Fiber.await(fiber), failureOf))
          assert.isTrue(
            errors.every((error) => error?._tag === "ChunkTimeout" && error.elapsedMillis === 30_000),
            "every stream ended with a ChunkTimeout at 30 s"
          )
          const closes = yield* Effect.forEach(upstreams, (upstream) => Ref.get(upstream.closes))
          assert.isTrue(closes.every((n) => n === 1), "every upstream closed exactly once")
        }),
      // About 1 s of real time on a quiet machine, several on a loaded one: past vitest's 5 s default.
      { timeout: 30_000 }
    )
  })

  describe("total", () => {
    it.effect("fires on time on a fully silent stream whose chunk limit is longer than total", () =>
      Effect.gen(function*() {
        const upstream = yield* closing(Stream.never)
        const fiber = yield* start(
          upstream.stream.pipe(Guard.guard(TimeoutPolicy.unsafeMake({ chunk: "10 minutes", total: "1 minute" })))
        )
        const error = failureOf(yield* endsExactlyAt(fiber, 60_000))
        assert.instanceOf(error, TimeoutError.TotalTimeout)
        assert.deepStrictEqual(
          details(error),
          { limitMillis: 60_000, elapsedMillis: 60_000, chunks: 0, sinceLastEventMillis: 60_000, lastEvent: "none" }
        )
        assert.strictEqual(yield* Ref.get(upstream.closes), 1)
      }))

    it.effect("counts from startedAt, the moment the request was sent", () =>
      Effect.gen(function*() {
        yield* TestClock.adjust("10 seconds")
        const fiber = yield* start(
          Stream.never.pipe(Guard.guard(TimeoutPolicy.unsafeMake({ total: "1 minute" }), { startedAt: 0 }))
        )
        const error = failureOf(yield* endsExactlyAt(fiber, 50_000))
        assert.instanceOf(error, TimeoutError.TotalTimeout)
        assert.strictEqual(error.elapsedMillis, 60_000)
      }))
  })

  describe("keepalives", () => {
    it.effect("a keepalive-only upstream dies with ProgressTimeout when progress is set", () =>
      Effect.gen(function*() {
        // Keepalives at 7 s, 14 s, ..., 56 s, 63 s: none lands on the deadline itself (an event and a
        // deadline at the very same virtual millisecond come in whichever order the TestClock picks).
        const upstream = yield* closing(Stream.concat(script(chunk("a")), forever("7 seconds", keepalive)))
        const fiber = yield* start(
          upstream.stream.pipe(Guard.guard(TimeoutPolicy.unsafeMake({ chunk: "30 seconds", progress: "1 minute" })))
        )
        const error = failureOf(yield* endsExactlyAt(fiber, 60_000))
        assert.instanceOf(error, TimeoutError.ProgressTimeout)
        assert.deepStrictEqual(
          details(error),
          { limitMillis: 60_000, elapsedMillis: 60_000, chunks: 1, sinceLastEventMillis: 4_000, lastEvent: "keepalive" }
        )
        assert.strictEqual(yield* Ref.get(upstream.closes), 1)
      }))

    it.effect("a keepalive-only upstream lives with only chunk set: keepalives reset chunk", () =>
      Effect.gen(function*() {
        const fiber = yield* start(forever("25 seconds", keepalive).pipe(Guard.guard(research)))
        yield* TestClock.adjust("5 minutes")
        assert.isTrue(yield* isRunning(fiber))
        yield* Fiber.interrupt(fiber)
      }))

    it.effect("progress counts from the last content chunk, not from keepalives", () =>
      Effect.gen(function*() {
        const fiber = yield* start(
          script(wait("50 seconds"), chunk("a"), ...every("10 seconds", 20, () => keepalive)).pipe(
            Guard.guard(TimeoutPolicy.unsafeMake({ progress: "1 minute" }))
          )
        )
        const error = failureOf(yield* endsExactlyAt(fiber, 110_000))
        assert.instanceOf(error, TimeoutError.ProgressTimeout)
        assert.strictEqual(error.chunks, 1)
      }))
  })

  describe("firstChunk", () => {
    const thinking = TimeoutPolicy.unsafeMake({ firstChunk: "2 minutes", chunk: "30 seconds" })

    it.effect("allows a long silent start up to firstChunk, then chunk rules apply", () =>
      Effect.gen(function*() {
        const fiber = yield* start(
          script(wait("100 seconds"), chunk("a"), ...every("25 seconds", 2), wait("31 seconds"), done).pipe(
            Guard.guard(thinking)
          )
        )
        // The first chunk at 100 s, then 25 s gaps, then silence from 150 s: chunk fires at 180 s.
        const error = failureOf(yield* endsExactlyAt(fiber, 180_000))
        assert.instanceOf(error, TimeoutError.ChunkTimeout)
        assert.strictEqual(error.chunks, 3)
        assert.strictEqual(error.elapsedMillis, 180_000)
      }))

    it.effect("completes a stream whose silent start is within firstChunk", () =>
      Effect.gen(function*() {
        const fiber = yield* start(
          script(wait("119 seconds"), chunk("a"), ...every("29 seconds", 2), done).pipe(Guard.guard(thinking))
        )
        yield* TestClock.adjust("177 seconds")
        assert.deepStrictEqual(contentOf(yield* Fiber.await(fiber)), ["a", "c0", "c1"])
      }))

    it.effect("fails with FirstChunkTimeout at exactly firstChunk, keepalives notwithstanding", () =>
      Effect.gen(function*() {
        // Keepalives every 17 s, the last before the deadline at 119 s (none lands on it).
        const upstream = yield* closing(forever("17 seconds", keepalive))
        const fiber = yield* start(upstream.stream.pipe(Guard.guard(thinking)))
        const error = failureOf(yield* endsExactlyAt(fiber, 120_000))
        assert.instanceOf(error, TimeoutError.FirstChunkTimeout)
        assert.deepStrictEqual(
          details(error),
          {
            limitMillis: 120_000,
            elapsedMillis: 120_000,
            chunks: 0,
            sinceLastEventMillis: 1_000,
            lastEvent: "keepalive"
          }
        )
        assert.strictEqual(yield* Ref.get(upstream.closes), 1)
      }))

    it.effect("an upstream that ends during the silent start fails with UnexpectedEnd", () =>
      Effect.gen(function*() {
        const fiber = yield* start(script(wait("10 seconds"), keepalive).pipe(Guard.guard(thinking)))
        yield* TestClock.adjust("10 seconds")
        assert.instanceOf(failureOf(yield* Fiber.await(fiber)), GuardError.UnexpectedEnd)
      }))
  })

  describe("error data", () => {
    it.effect("ChunkTimeout says the limit, elapsed time, chunks, silence and the last event", () =>
      Effect.gen(function*() {
        const fiber = yield* start(
          Stream.concat(script(wait("5 seconds"), chunk("a"), wait("5 seconds"), keepalive), Stream.never).pipe(
            Guard.guard(research)
          )
        )
        yield* TestClock.adjust("40 seconds")
        const error = failureOf(yield* Fiber.await(fiber))
        assert.instanceOf(error, TimeoutError.ChunkTimeout)
        assert.deepStrictEqual(
          details(error),
          {
            limitMillis: 30_000,
            elapsedMillis: 40_000,
            chunks: 1,
            sinceLastEventMillis: 30_000,
            lastEvent: "keepalive"
          }
        )
        assert.strictEqual(error.phase, "chunk")
        assert.strictEqual(error.outcome, "chunk_timeout")
        assert.include(error.message, "30000 ms")
      }))
  })

  describe("finalizers", () => {
    /**
     * Runs `guarded` to its end and reports how often the upstream closed, and how often it had
     * closed when the consumer saw the end (its failure in `catchAll`, or its end in `onEnd`).
     */
    const closesSeenByConsumer = (
      body: Stream.Stream<StreamEvent.StreamEvent<string>>,
      policy: TimeoutPolicy.TimeoutPolicy,
      advance: Duration.Input
    ) =>
      Effect.gen(function*() {
        const upstream = yield* closing(body)
        const seen = yield* Ref.make<{ readonly closes: number; readonly end: string } | undefined>(undefined)
        const observe = (end: string) =>
          Effect.flatMap(Ref.get(upstream.closes), (closes) => Ref.set(seen, { closes, end }))
        const fiber = yield* start(
          upstream.stream.pipe(
            Guard.guard(policy),
            Stream.onEnd(observe("end")),
            Stream.catch((error) => Stream.fromEffect(observe(error._tag)))
          )
        )
        yield* TestClock.adjust(advance)
        yield* Fiber.await(fiber)
        return { closes: yield* Ref.get(upstream.closes), seen: yield* Ref.get(seen) }
      })

    const paths: ReadonlyArray<
      readonly [string, Stream.Stream<StreamEvent.StreamEvent<string>>, TimeoutPolicy.TimeoutPolicy, string]
    > = [
      ["done", script(chunk("a"), done), chat, "end"],
      ["error signal", script(chunk("a"), errorSignal), chat, "UpstreamErrorSignal"],
      ["unexpected end", script(chunk("a")), chat, "UnexpectedEnd"],
      ["chunk timeout", Stream.never, chat, "ChunkTimeout"],
      [
        "progress timeout",
        forever("4 seconds", keepalive),
        TimeoutPolicy.unsafeMake({ progress: "10 seconds" }),
        "ProgressTimeout"
      ],
      [
        "first chunk timeout",
        Stream.never,
        TimeoutPolicy.unsafeMake({ firstChunk: "10 seconds" }),
        "FirstChunkTimeout"
      ],
      [
        "total timeout",
        forever("4 seconds", chunk("x")),
        TimeoutPolicy.unsafeMake({ total: "10 seconds" }),
        "TotalTimeout"
      ]
    ]

    for (const [path, body, policy, end] of paths) {
      it.effect(`run exactly once, before the consumer sees the end: ${path}`, () =>
        Effect.gen(function*() {
          const result = yield* closesSeenByConsumer(body, policy, "1 minute")
          assert.deepStrictEqual(result, { closes: 1, seen: { closes: 1, end } })
        }))
    }

    it.effect("run exactly once when the caller interrupts", () =>
      Effect.gen(function*() {
        const upstream = yield* closing(forever("1 second", chunk("x")))
        const fiber = yield* start(upstream.stream.pipe(Guard.guard(research)))
        yield* TestClock.adjust("5 seconds")
        yield* Fiber.interrupt(fiber)
        assert.strictEqual(yield* Ref.get(upstream.closes), 1)
      }))

    it.effect("run exactly once, as soon as the consumer takes only N chunks", () =>
      Effect.gen(function*() {
        const upstream = yield* closing(forever("1 second", chunk("x")))
        const fiber = yield* start(
          upstream.stream.pipe(
            Guard.guard(research),
            Stream.take(3),
            // What follows the taken part runs only after the upstream has closed.
            Stream.concat(Stream.fromEffect(Effect.map(Ref.get(upstream.closes), (n) => `closes=${n}`)))
          )
        )
        yield* TestClock.adjust("3 seconds")
        assert.deepStrictEqual(contentOf(yield* Fiber.await(fiber)), ["x", "x", "x", "closes=1"])
        assert.strictEqual(yield* Ref.get(upstream.closes), 1)
      }))

    it.effect("run exactly once when the upstream uses Stream.ensuring", () =>
      Effect.gen(function*() {
        const closes = yield* Ref.make(0)
        const error = yield* Stream.never.pipe(
          Stream.ensuring(Ref.update(closes, (n) => n + 1)),
          Guard.guard(TimeoutPolicy.unsafeMake({ chunk: "1 second" })),
          Stream.runCollect,
          Effect.flip,
          Effect.forkChild({ startImmediately: true }),
          Effect.tap(() => TestClock.adjust("1 second")),
          Effect.flatMap(Fiber.join)
        )
        assert.instanceOf(error, TimeoutError.ChunkTimeout)
        assert.strictEqual(yield* Ref.get(closes), 1)
      }))
  })

  describe("guardEvents", () => {
    it.effect("relays keepalives (with the frames they carry), content and the Done event", () =>
      Effect.gen(function*() {
        const start = StreamEvent.Keepalive({ value: "message_start", bytes: 20 })
        const ping = StreamEvent.Keepalive<string>({ bytes: 3 })
        const final = StreamEvent.Done({ value: "usage", bytes: 30 })
        const out = yield* script(start, chunk("a"), [ping, chunk("b"), final, chunk("never")]).pipe(
          Guard.guardEvents(chat),
          Stream.runCollect
        )
        assert.deepStrictEqual(out, [start, chunk("a"), ping, chunk("b"), final])
      }))

    it.effect("fails on an error signal like guard, after relaying what came before it", () =>
      Effect.gen(function*() {
        const seen: Array<StreamEvent.StreamEvent<string>> = []
        const error = yield* script(chunk("a"), errorSignal).pipe(
          Guard.guardEvents(chat),
          Stream.runForEach((event) => Effect.sync(() => seen.push(event))),
          Effect.flip
        )
        assert.instanceOf(error, GuardError.UpstreamErrorSignal)
        assert.deepStrictEqual(seen, [chunk("a")])
      }))
  })

  describe("heartbeat and signal", () => {
    const tagsOf = <A, E>(exit: Exit.Exit<ReadonlyArray<StreamEvent.StreamEvent<A>>, E>) =>
      Exit.isSuccess(exit) ? exit.value.map((event) => event._tag) : []

    it.effect("a heartbeat hands a waiting consumer a keepalive of the guard's own every interval", () =>
      Effect.gen(function*() {
        const fiber = yield* start(
          script(chunk("a"), wait("35 seconds"), chunk("b"), done).pipe(
            Guard.guardEvents(TimeoutPolicy.unsafeMake({ chunk: "1 minute" }), { heartbeat: Duration.seconds(10) })
          )
        )
        yield* TestClock.adjust("35 seconds")
        // Beats at 10, 20 and 30 s of waiting; none after the upstream's own events resumed.
        assert.deepStrictEqual(tagsOf(yield* Fiber.await(fiber)), [
          "Chunk",
          "Keepalive",
          "Keepalive",
          "Keepalive",
          "Chunk",
          "Done"
        ])
      }))

    it.effect("beats reset no limit: a silent upstream still dies at exactly its chunk limit", () =>
      Effect.gen(function*() {
        const upstream = yield* closing(Stream.concat(script(chunk("a")), Stream.never))
        const fiber = yield* start(
          upstream.stream.pipe(Guard.guardEvents(research, { heartbeat: Duration.seconds(10) }))
        )
        const error = failureOf(yield* endsExactlyAt(fiber, 30_000))
        assert.strictEqual(error?._tag, "ChunkTimeout")
        assert.strictEqual(yield* Ref.get(upstream.closes), 1)
      }))

    it.effect("no beat before the upstream opened: the first comes an interval after it", () =>
      Effect.gen(function*() {
        const fiber = yield* start(
          Guard.guardEventsOpening(
            Effect.as(Effect.sleep("25 seconds"), script(wait("12 seconds"), done)),
            research,
            { heartbeat: Duration.seconds(10) }
          )
        )
        yield* TestClock.adjust("34999 millis")
        assert.isTrue(yield* isRunning(fiber))
        yield* TestClock.adjust("2001 millis")
        assert.deepStrictEqual(tagsOf(yield* Fiber.await(fiber)), ["Keepalive", "Done"])
      }))

    it.effect("aborting the signal ends the stream with StreamAborted and closes the upstream once", () =>
      Effect.gen(function*() {
        const controller = new AbortController()
        const upstream = yield* closing(forever("1 second", chunk("x")))
        const fiber = yield* start(upstream.stream.pipe(Guard.guard(research, { signal: controller.signal })))
        yield* TestClock.adjust("5 seconds")
        controller.abort("shutting down")
        const error = failureOf(yield* Fiber.await(fiber))
        assert.instanceOf(error, GuardError.StreamAborted)
        assert.strictEqual(error.reason, "shutting down")
        assert.strictEqual(error.outcome, "interrupted")
        assert.strictEqual(yield* Ref.get(upstream.closes), 1)
      }))
  })

  it.effect("guard is dual: data-first and data-last give the same stream", () =>
    Effect.gen(function*() {
      const first = yield* Stream.runCollect(Guard.guard(script(chunk("a"), done), chat))
      const last = yield* Stream.runCollect(script(chunk("a"), done).pipe(Guard.guard(chat)))
      assert.deepStrictEqual(first, last)
    }))

  describe("guardOpening: an upstream that must first be opened", () => {
    // Opening = pool wait, connect, retry back-off: our own waits, bounded by their own limits.
    const opening = (after: Duration.Input, body: Stream.Stream<StreamEvent.StreamEvent<string>>) =>
      Effect.as(Effect.sleep(after), body)

    it.effect("the chunk timer does not run while opening: a 45 s opening under chunk 30 s still streams", () =>
      Effect.gen(function*() {
        const fiber = yield* start(Guard.guardOpening(opening("45 seconds", script(chunk("a"), done)), research))
        yield* TestClock.adjust("45 seconds")
        assert.deepStrictEqual(contentOf(yield* Fiber.await(fiber)), ["a"])
      }))

    it.effect("chunk and progress count from the moment the upstream opened", () =>
      Effect.gen(function*() {
        const policy = TimeoutPolicy.unsafeMake({ chunk: "30 seconds", progress: "40 seconds" })
        const fiber = yield* start(Guard.guardOpening(opening("45 seconds", forever("10 seconds", keepalive)), policy))
        const exit = yield* endsExactlyAt(fiber, 85_000)
        const error = failureOf(exit)
        assert.strictEqual(error?._tag, "ProgressTimeout")
        if (error?._tag === "ProgressTimeout") {
          assert.strictEqual(error.elapsedMillis, 85_000)
          assert.strictEqual(error.chunks, 0)
        }
      }))

    it.effect("total and firstChunk bound the opening, counted from the start", () =>
      Effect.gen(function*() {
        const total = yield* start(Guard.guardOpening(opening("10 minutes", script(chunk("a"), done)), chat))
        assert.strictEqual(failureOf(yield* endsExactlyAt(total, 120_000))?._tag, "TotalTimeout")
        const first = yield* start(
          Guard.guardOpening(
            opening("10 minutes", script(chunk("a"), done)),
            TimeoutPolicy.unsafeMake({ firstChunk: "2 minutes" })
          )
        )
        assert.strictEqual(failureOf(yield* endsExactlyAt(first, 120_000))?._tag, "FirstChunkTimeout")
      }))

    it.effect("a failed opening is the stream's failure and its resources close", () =>
      Effect.gen(function*() {
        const closed = yield* Ref.make(0)
        const open: Effect.Effect<Stream.Stream<StreamEvent.StreamEvent<string>>, "refused", Scope.Scope> = Effect
          .andThen(Effect.addFinalizer(() => Ref.update(closed, (n) => n + 1)), Effect.fail("refused" as const))
        const exit = yield* Effect.exit(Stream.runCollect(Guard.guardOpening(open, research)))
        assert.strictEqual(failureOf(exit), "refused")
        assert.strictEqual(yield* Ref.get(closed), 1)
      }))
  })
})
