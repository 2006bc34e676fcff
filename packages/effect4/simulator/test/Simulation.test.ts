import { assert, describe, it } from "@effect/vitest"
import type { StreamEvent } from "@streamguard/core"
import { Dialect, Dialects } from "@streamguard/protocols"
import { Scenario, Simulation, Step } from "@streamguard/simulator"
import { Clock, Duration, Effect, Fiber, Option, Ref, Stream } from "effect"
import { TestClock } from "effect/testing"

const dialects: Record<Simulation.SimDialect, Dialect.Dialect<any>> = {
  openaiChat: Dialects.openaiChat,
  openaiResponses: Dialects.openaiResponses,
  anthropic: Dialects.anthropic,
  ollama: Dialects.ollama,
  mcp: Dialects.mcp,
  gemini: Dialects.gemini
}

const all = Object.keys(dialects) as ReadonlyArray<Simulation.SimDialect>

const request = (dialect: Simulation.SimDialect): Simulation.Request => ({
  dialect,
  model: "sim-test",
  requestId: 7,
  progressToken: "progress-1"
})

type Event = StreamEvent.StreamEvent<any>

/** Plays a scenario in-process and decodes it with the protocols dialect, the clock advanced by `advance`. */
const decoded = (
  scenario: Scenario.Scenario,
  dialect: Simulation.SimDialect,
  advance: Duration.Input = "1 hour",
  options?: Dialect.DecodeOptions
) =>
  Effect.gen(function*() {
    const fiber = yield* dialects[dialect].decode(Simulation.stream(scenario, request(dialect)), options).pipe(
      Stream.runCollect,
      Effect.map((events): ReadonlyArray<Event> => events),
      Effect.forkChild
    )
    yield* TestClock.adjust(advance)
    return yield* Fiber.join(fiber)
  })

const chunks = (events: ReadonlyArray<Event>) => events.filter((event) => event._tag === "Chunk")

/** The text a client reads: text deltas, or for MCP the progress messages. */
const textOf = (dialect: Simulation.SimDialect, events: ReadonlyArray<Event>) =>
  chunks(events).map((event) =>
    dialect === "mcp"
      ? (event.value as { params: { message: string } }).params.message
      : dialects[dialect].text(event.value)
  ).join("")

/** Collects what an endless scenario writes within `advance`, then stops it. */
const within = (scenario: Scenario.Scenario, dialect: Simulation.SimDialect, advance: Duration.Input) =>
  Effect.gen(function*() {
    const seen = yield* Ref.make<ReadonlyArray<Event>>([])
    const fiber = yield* dialects[dialect].decode(Simulation.stream(scenario, request(dialect))).pipe(
      Stream.runForEach((event) => Ref.update(seen, (events) => [...events, event])),
      Effect.forkChild
    )
    yield* TestClock.adjust(advance)
    const running = fiber.pollUnsafe() === undefined
    yield* Fiber.interrupt(fiber)
    return { events: yield* Ref.get(seen), running }
  })

describe("Simulation", () => {
  it.effect("steady: every dialect decodes the scenario's tokens as content, then Done", () =>
    Effect.gen(function*() {
      const scenario = Scenario.steady({ chunks: 6 })
      for (const dialect of all) {
        const events = yield* decoded(scenario, dialect)
        assert.strictEqual(chunks(events).length, 6, dialect)
        assert.strictEqual(textOf(dialect, events), Simulation.text(scenario), dialect)
        assert.strictEqual(events.at(-1)?._tag, "Done", dialect)
      }
    }))

  it.effect("steady: the MCP result answers the request id with the whole text", () =>
    Effect.gen(function*() {
      const scenario = Scenario.steady({ chunks: 4 })
      const done = (yield* decoded(scenario, "mcp")).at(-1)
      const value = done?._tag === "Done" ? done.value as any : undefined
      assert.strictEqual(value?.id, 7)
      assert.strictEqual(value?.result.content[0].text, Simulation.text(scenario))
    }))

  it.effect("openaiChat with include_usage sends a usage chunk with empty choices right before [DONE]", () =>
    Effect.gen(function*() {
      const fiber = yield* Simulation.stream(Scenario.steady({ chunks: 3 }), {
        dialect: "openaiChat",
        includeUsage: true
      })
        .pipe(
          Stream.decodeText(),
          Stream.mkString,
          Effect.forkChild
        )
      yield* TestClock.adjust("1 minute")
      const text = yield* Fiber.join(fiber)
      const frames = text.split("\n\n").filter((frame) => frame.length > 0)
      assert.strictEqual(frames.at(-1), "data: [DONE]")
      const usage = JSON.parse(frames.at(-2)!.slice("data: ".length))
      assert.deepStrictEqual(usage.choices, [])
      assert.strictEqual(usage.usage.completion_tokens, 3)
      const finish = JSON.parse(frames.at(-3)!.slice("data: ".length))
      assert.strictEqual(finish.choices[0].finish_reason, "stop")
    }))

  it.effect("error-mid: every dialect ends with its in-band ErrorSignal after `after` chunks", () =>
    Effect.gen(function*() {
      const expected: Record<Simulation.SimDialect, string> = {
        openaiChat: "server_error",
        openaiResponses: "server_error",
        anthropic: "overloaded_error",
        ollama: "server_error",
        mcp: "-32603",
        gemini: "server_error"
      }
      for (const dialect of all) {
        const events = yield* decoded(Scenario.errorMid({ after: 2 }), dialect)
        assert.strictEqual(chunks(events).length, 2, dialect)
        const last = events.at(-1)
        assert.strictEqual(last?._tag, "ErrorSignal", dialect)
        if (last?._tag === "ErrorSignal" && dialect !== "ollama") assert.strictEqual(last.errorType, expected[dialect])
      }
    }))

  it.effect("end-without-done: the bytes end after the chunks with no done signal (UnexpectedEnd)", () =>
    Effect.gen(function*() {
      for (const dialect of all) {
        const fiber = yield* Dialect.decodeComplete(
          dialects[dialect],
          Simulation.stream(Scenario.endWithoutDone({ after: 3 }), request(dialect))
        ).pipe(Stream.runCollect, Effect.flip, Effect.forkChild)
        yield* TestClock.adjust("1 minute")
        const error = yield* Fiber.join(fiber)
        assert.strictEqual(error._tag, "UnexpectedEnd", dialect)
        if (error._tag === "UnexpectedEnd") assert.strictEqual(error.chunks, 3, dialect)
      }
    }))

  it.effect("reset-mid: in-process, the byte stream fails with SimulatedReset after `after` chunks", () =>
    Effect.gen(function*() {
      const fiber = yield* Simulation.frames(Scenario.resetMid({ after: 2 }), request("anthropic")).pipe(
        Stream.map((frame) => frame.event as string),
        Stream.catchTag("SimulatedReset", () => Stream.make("Reset")),
        Stream.runCollect,
        Effect.forkChild
      )
      yield* TestClock.adjust("1 minute")
      const events = yield* Fiber.join(fiber)
      assert.strictEqual(events.at(-1), "Reset")
      assert.strictEqual(events.filter((event) => event === "Chunk").length, 2)
    }))

  it.effect("stall-after-N: N chunks, then nothing for hours, with the stream still open", () =>
    Effect.gen(function*() {
      for (const dialect of all) {
        const { events, running } = yield* within(Scenario.stallAfter({ after: 3 }), dialect, "3 hours")
        assert.isTrue(running, dialect)
        assert.strictEqual(chunks(events).length, 3, dialect)
        const lastChunk = events.map((event) => event._tag).lastIndexOf("Chunk")
        const afterLast = events.slice(lastChunk + 1)
        assert.deepStrictEqual(afterLast, [], dialect)
      }
    }))

  it.effect("ping-only: keepalives at the interval and never content", () =>
    Effect.gen(function*() {
      const anthropic = yield* within(Scenario.pingOnly({ interval: "15s" }), "anthropic", "61 seconds")
      // The opening ping, then one at 15, 30, 45 and 60 s.
      assert.strictEqual(anthropic.events.filter(Dialects.anthropic.isPing).length, 5)
      assert.strictEqual(chunks(anthropic.events).length, 0)
      assert.isTrue(anthropic.running)
      const openai = yield* within(Scenario.pingOnly({ interval: "10s" }), "openaiChat", "35 seconds")
      assert.strictEqual(openai.events.filter(Dialects.openaiChat.isPing).length, 3)
      assert.strictEqual(chunks(openai.events).length, 0)
    }))

  it.effect("think-90s: Anthropic pings every 15 s through the silence; OpenAI Chat stays silent", () =>
    Effect.gen(function*() {
      const scenario = Scenario.think({ silence: "90s", chunks: 2 })
      const anthropic = yield* within(scenario, "anthropic", "89 seconds")
      assert.strictEqual(chunks(anthropic.events).length, 0)
      // The opening ping, then 15, 30, 45, 60, 75 s.
      assert.strictEqual(anthropic.events.filter(Dialects.anthropic.isPing).length, 6)
      const openai = yield* within(scenario, "openaiChat", "89 seconds")
      assert.strictEqual(chunks(openai.events).length, 0)
      assert.strictEqual(openai.events.filter(Dialects.openaiChat.isPing).length, 0)
      const done = yield* decoded(scenario, "anthropic", "2 minutes")
      assert.strictEqual(chunks(done).length, 2)
      assert.strictEqual(done.at(-1)?._tag, "Done")
    }))

  it.effect("huge-event: one content event beyond the decoders' 1 MiB default", () =>
    Effect.gen(function*() {
      const scenario = Scenario.hugeEvent({ size: 2 * 1024 * 1024 })
      const tooLarge = yield* decoded(scenario, "openaiChat").pipe(Effect.flip)
      assert.strictEqual(tooLarge._tag, "EventTooLarge")
      const events = yield* decoded(scenario, "openaiChat", "1 second", { maxEventBytes: 4 * 1024 * 1024 })
      assert.strictEqual(chunks(events).length, 1)
      assert.strictEqual(textOf("openaiChat", events).length, 2 * 1024 * 1024)
    }))

  it.effect("slow-drip: events arrive in pieces of `bytes`, `every` apart, and still decode whole", () =>
    Effect.gen(function*() {
      const scenario = Scenario.slowDrip({ chunks: 2, gap: 0, bytes: 16, every: "1s" })
      const frames = yield* Effect.forkChild(Stream.runCollect(Simulation.frames(scenario, request("anthropic"))))
      yield* TestClock.adjust("1 hour")
      const pieces = yield* Fiber.join(frames)
      assert.isTrue(pieces.every((piece) => piece.bytes.length <= 16))
      assert.isTrue(pieces.some((piece) => piece.partial))
      // The first second brings exactly one 16-byte piece: bytes flow, but no whole event yet.
      const early = yield* within(scenario, "anthropic", "1 second")
      assert.strictEqual(early.events.length, 0)
      const events = yield* decoded(scenario, "anthropic", "2 hours")
      assert.strictEqual(chunks(events).length, 2)
      assert.strictEqual(events.at(-1)?._tag, "Done")
    }))

  it.effect("jitter comes from the seed: the same seed paces the same, gaps stay within gap +/- jitter", () =>
    Effect.gen(function*() {
      const times = (seed: number) =>
        Effect.gen(function*() {
          const start = yield* Clock.currentTimeMillis
          const fiber = yield* Simulation.frames(Scenario.steady({ chunks: 12, seed }), request("openaiChat")).pipe(
            Stream.filter((frame) => frame.event === "Chunk"),
            Stream.mapEffect(() => Effect.map(Clock.currentTimeMillis, (now) => now - start)),
            Stream.runCollect,
            Effect.forkChild
          )
          yield* TestClock.adjust("1 minute")
          return yield* Fiber.join(fiber)
        })
      const first = yield* times(1)
      const again = yield* times(1)
      const other = yield* times(2)
      assert.deepStrictEqual(first, again)
      assert.notDeepEqual(first, other)
      const gaps = first.map((time, i) => time - (i === 0 ? 0 : first[i - 1]!))
      assert.isTrue(gaps.every((gap) => gap >= 20 && gap <= 80), `gaps ${gaps.join(",")}`)
    }))

  it.effect("a script with 15 minutes of waits runs under TestClock in milliseconds of real time", () =>
    Effect.gen(function*() {
      const script = Scenario.script([
        Step.chunk("Hel"),
        Step.wait("5 minutes"),
        Step.chunk("lo"),
        Step.keepalive,
        Step.wait("10 minutes"),
        Step.chunk("!"),
        Step.done
      ])
      const realStart = performance.now()
      const fiber = yield* decoded(script, "anthropic", "0 millis").pipe(Effect.forkChild)
      const blocked = yield* Effect.forkChild(Effect.gen(function*() {
        yield* TestClock.adjust("14 minutes")
        return fiber.pollUnsafe()
      }))
      const beforeTheEnd = yield* Fiber.join(blocked)
      yield* TestClock.adjust("1 minute")
      const events = yield* Fiber.join(fiber)
      const realMillis = performance.now() - realStart
      assert.isTrue(beforeTheEnd === undefined, "the script waited on the Clock")
      assert.strictEqual(textOf("anthropic", events), "Hello!")
      assert.strictEqual(events.at(-1)?._tag, "Done")
      assert.isBelow(realMillis, 1000)
    }))

  it.effect("collect: a non-streaming answer carries the whole text", () =>
    Effect.gen(function*() {
      const scenario = Scenario.steady({ chunks: 5 })
      const fiber = yield* Effect.forkChild(Simulation.collect(scenario, request("openaiChat")))
      yield* TestClock.adjust("1 minute")
      const collected = yield* Fiber.join(fiber)
      assert.strictEqual(collected.end, "Done")
      assert.strictEqual((collected.body as any).choices[0].message.content, Simulation.text(scenario))
    }))

  it("plan: an HttpError answers its status, headers and body after its delay; 429 and 503 carry retry-after", () => {
    const plan = Simulation.plan(
      Scenario.httpError({ status: 429, delay: "2500 millis", body: "{}", headers: { "x-ratelimit-remaining": "0" } })
    )
    assert.strictEqual(plan.status, 429)
    assert.deepStrictEqual(plan.headers, Duration.millis(2500))
    assert.deepStrictEqual(plan.retryAfter, Option.some(1))
    assert.deepStrictEqual(plan.extraHeaders, { "x-ratelimit-remaining": "0" })
    assert.deepStrictEqual(plan.body, Option.some("{}"))
    const badRequest = Simulation.plan(Scenario.httpError({ status: 400 }))
    assert.strictEqual(badRequest.headers, "now")
    assert.isTrue(Option.isNone(badRequest.retryAfter))
    assert.strictEqual(Simulation.plan(Scenario.script([Step.chunk("a"), Step.done])).status, 200)
  })

  it("errorBody: the scenario's own body, else the provider's error body in the request's dialect", () => {
    const own = Simulation.plan(Scenario.httpError({ status: 503, body: "overloaded" }))
    assert.strictEqual(Simulation.errorBody(own, { dialect: "anthropic" }), "overloaded")
    const rateLimited = Simulation.plan(Scenario.httpError({ status: 429 }))
    const anthropic = JSON.parse(Simulation.errorBody(rateLimited, { dialect: Dialects.anthropic }))
    assert.strictEqual(anthropic.error.type, "rate_limit_error")
    // Any dialect's own shape: Google's status names for Gemini.
    const gemini = JSON.parse(Simulation.errorBody(rateLimited, { dialect: Dialects.gemini }))
    assert.strictEqual(gemini.error.status, "RESOURCE_EXHAUSTED")
  })

  it.effect("steady with jitter 0 paces exactly: a chunk every gap, done with the last", () =>
    Effect.gen(function*() {
      const fiber = yield* Simulation.frames(
        Scenario.steady({ chunks: 3, gap: "1 second", jitter: 0 }),
        request("openaiChat")
      ).pipe(
        Stream.filter((frame) => frame.event === "Chunk" || frame.event === "Done"),
        Stream.mapEffect((frame) => Effect.map(Clock.currentTimeMillis, (now) => [frame.event, now] as const)),
        Stream.runCollect,
        Effect.forkChild
      )
      yield* TestClock.adjust("1 minute")
      assert.deepStrictEqual(yield* Fiber.join(fiber), [
        ["Chunk", 1000],
        ["Chunk", 2000],
        ["Chunk", 3000],
        ["Done", 3000]
      ])
    }))

  it.effect("raw steps write their bytes as they are, without the dialect's opening when `opening: false`", () =>
    Effect.gen(function*() {
      const text = yield* Simulation.stream(
        Scenario.script([Step.raw("data: {\"x\":1}\n\n"), Step.raw(": ping\n\n")], { opening: false }),
        { dialect: "openaiChat" }
      ).pipe(Stream.decodeText(), Stream.mkString)
      assert.strictEqual(text, "data: {\"x\":1}\n\n: ping\n\n")
    }))
})
