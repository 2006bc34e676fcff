import { assert, describe, it } from "@effect/vitest"
import type { TimeoutError } from "@streamguard/core"
import { RequestProfile, StreamObserver, TimeoutPolicy } from "@streamguard/core"
import type * as Attempt from "@streamguard/gateway/relay/Attempt"
import * as Failover from "@streamguard/gateway/relay/Failover"
import { Dialects } from "@streamguard/protocols"
import type { Scenario } from "@streamguard/simulator"
import { Step } from "@streamguard/simulator"
import { Scenario as Scenarios } from "@streamguard/simulator"
import { TestUpstream, TimeTravel } from "@streamguard/testing"
import type { Array as Arr } from "effect"
import { Cause, Duration, Effect, Exit, Fiber, Layer, Option, Scope } from "effect"
import { HttpClientRequest } from "effect/http"
import { TestClock } from "effect/testing"

const dialect = Dialects.openaiChat

const target = (name: string): Attempt.Target => ({
  upstream: name,
  request: HttpClientRequest.post(`https://${name}.test/v1/chat/completions`).pipe(
    HttpClientRequest.bodyJsonUnsafe({ model: "m", stream: true, messages: [{ role: "user", content: "Hi" }] })
  )
})

/** Each upstream by its host name: `a.test` plays `scripts.a`. */
const upstreams = (scripts: Record<string, ReadonlyArray<Step.Step> | Scenario.Scenario>) =>
  TestUpstream.layer((request) => scripts[new URL(request.url).hostname.replace(".test", "")]!)

const plan = (
  names: Arr.NonEmptyReadonlyArray<string>,
  hedgeAfter?: Duration.Input
): Failover.Plan<unknown> => ({
  targets: names.map(target) as unknown as Arr.NonEmptyReadonlyArray<Attempt.Target>,
  dialect: dialect as never,
  hedgeAfter: Option.map(Option.fromNullishOr(hedgeAfter), Duration.fromInputUnsafe),
  maxHedges: hedgeAfter === undefined ? 0 : 1
})

/** A link that observes nothing and tells nothing. */
const link: Attempt.Link<unknown> = {
  observe: () => StreamObserver.noopService,
  waiting: Effect.void
}

/** Runs the plan and reads the winner to its end: which upstream served, and the text it sent. */
const run = (names: Arr.NonEmptyReadonlyArray<string>, hedgeAfter?: Duration.Input) =>
  Effect.gen(function*() {
    const scope = yield* Scope.make()
    const started = yield* Failover.start(plan(names, hedgeAfter), link, scope)
    let text = ""
    const add = (events: ReadonlyArray<any>) => {
      for (const event of events) if (event._tag === "Chunk") text += dialect.text(event.value) ?? ""
    }
    add(started.events)
    const rest = yield* Effect.exit(Effect.forever(Effect.map(started.pull, add)))
    yield* Scope.close(scope, Exit.void)
    return {
      served: started.served.upstream,
      attempts: started.attempts.map((a) => `${a.upstream}:${a.role}:${a.result}`),
      text,
      rest
    }
  })

const profile = (fields: TimeoutPolicy.Fields) => RequestProfile.layer("test", TimeoutPolicy.make(fields))

const steady = (text: string, gap: Duration.Input = "1 second") => [
  Step.wait(gap),
  Step.chunk(text),
  Step.wait(gap),
  Step.chunk("."),
  Step.done
]

const closes = Effect.map(
  TestUpstream.exchanges,
  (all) =>
    all.map((e) => `${new URL(e.request.url).hostname}:${e.record.end}@${e.record.closedAt ?? e.record.finishedAt}`)
)

const silent = [Step.wait("60 seconds"), Step.done]

describe("fallback chains", () => {
  it.effect("moves on when the first upstream refuses the connection", () =>
    Effect.gen(function*() {
      const result = yield* TimeTravel.expectSuccess(run(["a", "b"]), { at: "2 seconds" })
      assert.strictEqual(result.served, "b")
      assert.strictEqual(result.text, "from b.")
      assert.deepStrictEqual(result.attempts, ["a:primary:transport_error", "b:fallback:served"])
    }).pipe(Effect.provide(Layer.mergeAll(upstreams({ a: [Step.reset], b: steady("from b") }), profile({})))))

  it.effect("moves on after an upstream 503", () =>
    Effect.gen(function*() {
      const result = yield* TimeTravel.expectSuccess(run(["a", "b"]), { at: "2 seconds" })
      assert.strictEqual(result.served, "b")
      assert.deepStrictEqual(result.attempts, ["a:primary:upstream_http_error", "b:fallback:served"])
    }).pipe(Effect.provide(Layer.mergeAll(
      upstreams({ a: Scenarios.httpError({ status: 503 }), b: steady("from b") }),
      profile({})
    ))))

  it.effect("moves on after an upstream 501 or 505: not transient, but another upstream may serve the request", () =>
    Effect.gen(function*() {
      const result = yield* TimeTravel.expectSuccess(run(["a", "b", "c"]), { at: "2 seconds" })
      assert.strictEqual(result.served, "c")
      assert.deepStrictEqual(result.attempts, [
        "a:primary:upstream_http_error",
        "b:fallback:upstream_http_error",
        "c:fallback:served"
      ])
    }).pipe(Effect.provide(Layer.mergeAll(
      upstreams({ a: Scenarios.httpError({ status: 501 }), b: Scenarios.httpError({ status: 505 }), c: steady("c") }),
      profile({})
    ))))

  it.effect("moves on at the first upstream's firstChunk timeout, exactly then", () =>
    Effect.gen(function*() {
      // a answers its headers but sends nothing for a minute; firstChunk is 5 s: b starts at 5 s
      // and sends its two chunks 1 s apart, so the request ends at 7 s.
      const result = yield* TimeTravel.expectSuccess(run(["a", "b"]), { at: "7 seconds" })
      assert.strictEqual(result.served, "b")
      assert.deepStrictEqual(result.attempts, ["a:primary:first_chunk_timeout", "b:fallback:served"])
      assert.deepStrictEqual(yield* closes, ["a.test:client_closed@5000", "b.test:ended@7000"])
    }).pipe(Effect.provide(Layer.mergeAll(
      upstreams({ a: [Step.wait("60 seconds"), Step.chunk("late"), Step.done], b: steady("from b") }),
      profile({ firstChunk: Duration.seconds(5) })
    ))))

  it.effect("never moves on once content went out: the failure is the served stream's", () =>
    Effect.gen(function*() {
      const result = yield* TimeTravel.expectSuccess(run(["a", "b"]), { at: "2 seconds" })
      assert.strictEqual(result.served, "a")
      assert.strictEqual(result.text, "partial")
      assert.isTrue(Exit.isFailure(result.rest))
      // b was never asked.
      assert.deepStrictEqual((yield* TestUpstream.exchanges).length, 1)
    }).pipe(Effect.provide(Layer.mergeAll(
      upstreams({
        a: [Step.wait("1 second"), Step.chunk("partial"), Step.wait("1 second"), Step.reset],
        b: steady("b")
      }),
      profile({})
    ))))

  it.effect("shares the total budget: the last attempt is cut by total, and none starts past it", () =>
    Effect.gen(function*() {
      // total 10 s, firstChunk 4 s, every upstream silent: a fails at 4 s, b at 8 s, c gets the 2 s
      // left and is cut by total at 10 s; d never starts.
      const error = yield* TimeTravel.expectFailure(run(["a", "b", "c", "d"]), "gateway/Failover/Exhausted", {
        at: "10 seconds"
      })
      assert.strictEqual(error.error._tag, "TotalTimeout")
      assert.deepStrictEqual(error.attempts.map((a) => `${a.upstream}:${a.result}`), [
        "a:first_chunk_timeout",
        "b:first_chunk_timeout",
        "c:total_timeout"
      ])
      assert.deepStrictEqual(yield* closes, [
        "a.test:client_closed@4000",
        "b.test:client_closed@8000",
        "c.test:client_closed@10000"
      ])
    }).pipe(Effect.provide(Layer.mergeAll(
      upstreams({ a: silent, b: silent, c: silent, d: steady("d") }),
      profile({ firstChunk: Duration.seconds(4), total: Duration.seconds(10) })
    ))))
})

/** The typed failure a served stream ended with (not its end: the pull's `Cause.Done`). */
const failureOf = (rest: Exit.Exit<unknown, unknown>) =>
  Option.getOrThrow(
    Option.filter(Exit.findErrorOption(rest), (error) => !Cause.isDone(error))
  ) as TimeoutError.TotalTimeout

describe("a request cut by its shared total", () => {
  it.effect("says the request's total and time, and the last attempt's share of it", () =>
    Effect.gen(function*() {
      // firstChunk 1 s, total 2.5 s, three silent upstreams: a fails at 1 s, b at 2 s, c is given the
      // 500 ms left and cut at 2.5 s (the last attempt's stream is the client's from its start).
      const result = yield* TimeTravel.expectSuccess(run(["a", "b", "c"]), { at: "2500 millis" })
      const error = failureOf(result.rest)
      assert.strictEqual(error._tag, "TotalTimeout")
      assert.strictEqual(error.limitMillis, 2500)
      assert.strictEqual(error.elapsedMillis, 2500)
      assert.strictEqual(error.attemptLimitMillis, 500)
      assert.include(error.message, "(limit 2500 ms, 500 ms of it this attempt's; 2500 ms into the request,")
    }).pipe(Effect.provide(Layer.mergeAll(
      upstreams({ a: silent, b: silent, c: silent }),
      profile({ firstChunk: Duration.seconds(1), total: Duration.millis(2500) })
    ))))

  it.effect("says the same when the budget ends the chain before its last upstream", () =>
    Effect.gen(function*() {
      // As above, with a fourth upstream that never starts: the failure is the chain's.
      const exhausted = yield* TimeTravel.expectFailure(run(["a", "b", "c", "d"]), "gateway/Failover/Exhausted", {
        at: "2500 millis"
      })
      const error = exhausted.error as TimeoutError.TotalTimeout
      assert.strictEqual(error._tag, "TotalTimeout")
      assert.strictEqual(error.limitMillis, 2500)
      assert.strictEqual(error.elapsedMillis, 2500)
      assert.strictEqual(error.attemptLimitMillis, 500)
    }).pipe(Effect.provide(Layer.mergeAll(
      upstreams({ a: silent, b: silent, c: silent, d: steady("d") }),
      profile({ firstChunk: Duration.seconds(1), total: Duration.millis(2500) })
    ))))

  it.effect("says the same when it cuts the stream of a fallback that served", () =>
    Effect.gen(function*() {
      // a fails at 1 s; b sends a chunk at 2 s, then nothing, and is cut by total at 2.5 s.
      const result = yield* TimeTravel.expectSuccess(run(["a", "b", "c"]), { at: "2500 millis" })
      assert.strictEqual(result.served, "b")
      const error = failureOf(result.rest)
      assert.strictEqual(error._tag, "TotalTimeout")
      assert.strictEqual(error.limitMillis, 2500)
      assert.strictEqual(error.elapsedMillis, 2500)
      assert.strictEqual(error.attemptLimitMillis, 1500)
      assert.strictEqual(error.chunks, 1)
    }).pipe(Effect.provide(Layer.mergeAll(
      upstreams({
        a: silent,
        b: [Step.wait("1 second"), Step.chunk("b"), Step.wait("10 seconds"), Step.done],
        c: steady("c")
      }),
      profile({ firstChunk: Duration.seconds(1), total: Duration.millis(2500) })
    ))))

  it.effect("a single attempt's total is the request's: no share to tell", () =>
    Effect.gen(function*() {
      const result = yield* TimeTravel.expectSuccess(run(["a"]), { at: "2500 millis" })
      const error = failureOf(result.rest)
      assert.strictEqual(error.limitMillis, 2500)
      assert.strictEqual(error.elapsedMillis, 2500)
      assert.isUndefined(error.attemptLimitMillis)
      assert.include(error.message, "(limit 2500 ms; 2500 ms into the request,")
    }).pipe(Effect.provide(Layer.mergeAll(upstreams({ a: silent }), profile({ total: Duration.millis(2500) })))))
})

describe("the observer", () => {
  it.effect("hears each attempt as a stream of its upstream, a fallback labelled as one", () =>
    Effect.gen(function*() {
      const labels: Array<string> = []
      const observer: StreamObserver.Service = {
        ...StreamObserver.noopService,
        started: (stream) => Effect.sync(() => labels.push(JSON.stringify(stream.labels)))
      }
      const scope = yield* Scope.make()
      const started = yield* Failover.start(plan(["a", "b"]), { ...link, observe: () => observer }, scope)
      assert.strictEqual(started.served.upstream, "b")
      yield* Scope.close(scope, Exit.void)
      assert.deepStrictEqual(labels.map((l) => JSON.parse(l)), [
        { profile: "test", dialect: "openaiChat", upstream: "a" },
        { profile: "test", dialect: "openaiChat", upstream: "b", attempt: "fallback" }
      ])
    }).pipe(Effect.provide(Layer.mergeAll(upstreams({ a: [Step.reset], b: steady("b") }), profile({})))))
})

describe("the link", () => {
  /** A link that counts what the attempts told it. */
  const counting = (heartbeat?: Duration.Input) => {
    const heard = { opened: 0, waiting: 0 }
    const counted: Attempt.Link<unknown> = {
      ...link,
      options: heartbeat === undefined ? undefined : { heartbeat },
      waiting: Effect.sync(() => void heard.waiting++),
      opened: () => void heard.opened++
    }
    return { heard, counted }
  }

  it.effect("hears each attempt's pull as it opens, one at a time, but no hedged attempt's", () =>
    Effect.gen(function*() {
      const sequential = counting()
      yield* Effect.scoped(
        Effect.flatMap(Effect.scope, (scope) => Failover.start(plan(["a", "b"]), sequential.counted, scope))
      )
      assert.strictEqual(sequential.heard.opened, 2)
      const hedged = counting()
      yield* Effect.scoped(
        Effect.flatMap(Effect.scope, (scope) => Failover.start(plan(["a", "b"], "2 seconds"), hedged.counted, scope))
      ).pipe(
        Effect.forkChild({ startImmediately: true }),
        Effect.tap(() => TestClock.adjust("10 seconds")),
        Effect.flatMap(Fiber.join)
      )
      assert.strictEqual(hedged.heard.opened, 0)
    }).pipe(Effect.provide(Layer.mergeAll(upstreams({ a: [Step.reset], b: steady("b") }), profile({})))))

  it.effect("is told at each heartbeat while the upstream stays silent before content, and no more after", () =>
    Effect.gen(function*() {
      const { counted, heard } = counting("1 second")
      const fiber = yield* Effect.forkChild(
        Effect.scoped(Effect.flatMap(Effect.scope, (scope) =>
          Effect.flatMap(
            Failover.start(plan(["a", "b"]), counted, scope),
            (started) => Effect.exit(Effect.forever(started.pull))
          ))),
        { startImmediately: true }
      )
      yield* TestClock.adjust("4200 millis")
      const before = heard.waiting
      yield* TestClock.adjust("10 seconds")
      yield* Fiber.join(fiber)
      assert.isAtLeast(before, 3)
      assert.strictEqual(heard.waiting, before)
    }).pipe(Effect.provide(Layer.mergeAll(
      upstreams({ a: [Step.wait("4500 millis"), Step.chunk("a"), Step.wait("5 seconds"), Step.done], b: steady("b") }),
      profile({})
    ))))
})

describe("hedging", () => {
  it.effect("cancels the slow first upstream when the hedge produces content first", () =>
    Effect.gen(function*() {
      // hedgeAfter 2 s: b starts at 2 s and sends its first chunk at 3 s; a is closed then.
      const result = yield* TimeTravel.expectSuccess(run(["a", "b"], "2 seconds"), { at: "4 seconds" })
      assert.strictEqual(result.served, "b")
      assert.deepStrictEqual(result.attempts, ["a:primary:cancelled", "b:hedge:served"])
      assert.deepStrictEqual(yield* closes, ["a.test:client_closed@3000", "b.test:ended@4000"])
    }).pipe(Effect.provide(Layer.mergeAll(
      upstreams({ a: [Step.wait("10 seconds"), Step.chunk("a"), Step.done], b: steady("from b") }),
      profile({})
    ))))

  it.effect("cancels the hedge when the first upstream produces content first", () =>
    Effect.gen(function*() {
      // b starts at 2 s and would answer at 12 s; a's first chunk comes at 2.5 s: b is closed then.
      const result = yield* TimeTravel.expectSuccess(run(["a", "b"], "2 seconds"), { at: "5 seconds" })
      assert.strictEqual(result.served, "a")
      assert.deepStrictEqual(result.attempts, ["a:primary:served", "b:hedge:cancelled"])
      assert.deepStrictEqual(yield* closes, ["a.test:ended@5000", "b.test:client_closed@2500"])
    }).pipe(Effect.provide(Layer.mergeAll(
      upstreams({ a: steady("from a", "2500 millis"), b: [Step.wait("10 seconds"), Step.chunk("b"), Step.done] }),
      profile({})
    ))))

  it.effect("falls back at once when the first upstream fails before the hedge is due", () =>
    Effect.gen(function*() {
      const result = yield* TimeTravel.expectSuccess(run(["a", "b"], "2 seconds"), { at: "2 seconds" })
      assert.deepStrictEqual(result.attempts, ["a:primary:upstream_http_error", "b:fallback:served"])
    }).pipe(Effect.provide(Layer.mergeAll(
      upstreams({ a: Scenarios.httpError({ status: 503 }), b: steady("b") }),
      profile({})
    ))))

  it.effect("keeps the first upstream running when the hedge fails", () =>
    Effect.gen(function*() {
      // b starts at 2 s and answers 503; a goes on and serves from 5 s.
      const result = yield* TimeTravel.expectSuccess(run(["a", "b"], "2 seconds"), { at: "10 seconds" })
      assert.strictEqual(result.served, "a")
      assert.deepStrictEqual(result.attempts, ["a:primary:served", "b:hedge:upstream_http_error"])
    }).pipe(Effect.provide(Layer.mergeAll(
      upstreams({ a: steady("from a", "5 seconds"), b: Scenarios.httpError({ status: 503 }) }),
      profile({})
    ))))

  it.effect("starts no hedge when the first upstream produced content in time", () =>
    Effect.gen(function*() {
      const result = yield* TimeTravel.expectSuccess(run(["a", "b"], "2 seconds"), { at: "2 seconds" })
      assert.strictEqual(result.served, "a")
      assert.strictEqual((yield* TestUpstream.exchanges).length, 1)
    }).pipe(Effect.provide(Layer.mergeAll(upstreams({ a: steady("a"), b: steady("b") }), profile({})))))
})
