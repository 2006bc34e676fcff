/**
 * The behaviour table against the simulator's core (the kernel's `SimulatorServer`, on real
 * timers), which records when each request's connection closed and whether it kept writing.
 */
import { assert, describe, it } from "@effect/vitest"
import { LlmClient } from "@streamguard/client"
import { RequestProfile, StreamObserver, TimeoutPolicy } from "@streamguard/core"
import type { RequestRecord } from "@streamguard/kernel/simulator/RequestRecord"
import * as Scenario from "@streamguard/kernel/simulator/Scenario"
import * as ScenarioSpec from "@streamguard/kernel/simulator/ScenarioSpec"
import * as SimulatorServer from "@streamguard/kernel/simulator/SimulatorServer"
import { Dialects } from "@streamguard/protocols"
import { Cause, Effect, Exit, Layer, ManagedRuntime, Option, Stream } from "effect"
import type { Duration, Scope } from "effect"
import { HttpClientRequest } from "effect/http"
import { checkNoLeaks } from "./support/leaks.js"

/** One client and one simulator for the file, as the upstream of every row. */
const runtime = ManagedRuntime.make(LlmClient.layerUndici())
const started = SimulatorServer.start()
checkNoLeaks(async () => {
  await runtime.dispose()
  await (await started).close()
})

let nextId = 0

interface Row {
  readonly scenario: Scenario.Scenario
  readonly policy: Parameters<typeof TimeoutPolicy.unsafeMake>[0]
  readonly take?: number
}

/**
 * Streams one chat completion from the simulator playing `scenario`; returns the observed
 * outcome, the failure (if any) and, when the client hung up early, the simulator's record.
 */
const play = (row: Row) =>
  Effect.gen(function*() {
    const simulator = yield* Effect.promise(() => started)
    const id = `row-${++nextId}`
    const outcomes: Array<string> = []
    const observer = Layer.succeed(StreamObserver.StreamObserver, {
      ...StreamObserver.noopService,
      ended: (_, ended) => Effect.sync(() => void outcomes.push(ended.outcome))
    })
    const request = HttpClientRequest.post(`${simulator.url}/v1/chat/completions`).pipe(
      HttpClientRequest.setHeaders({ "x-sim-request-id": id, "x-sim-scenario": ScenarioSpec.toHeader(row.scenario) }),
      HttpClientRequest.bodyJsonUnsafe({ model: "m", stream: true, messages: [{ role: "user", content: "hi" }] })
    )
    const stream = LlmClient.stream(request, { dialect: Dialects.openaiChat })
    const exit = yield* (row.take === undefined ? stream : Stream.take(stream, row.take)).pipe(
      Stream.runCollect,
      Effect.timeout("5 seconds"),
      Effect.provide(Layer.mergeAll(RequestProfile.layer("sim", TimeoutPolicy.unsafeMake(row.policy)), observer)),
      Effect.exit
    )
    const error = Exit.isFailure(exit) ? Option.getOrUndefined(Cause.findErrorOption(exit.cause)) : undefined
    return { id, simulator, outcome: outcomes[0], error }
  }).pipe((effect) => Effect.flatMap(runtime.contextEffect, (context) => Effect.provide(effect, context)))

/** Waits at most `within` for the simulator to say `id`'s record through `when`. */
const awaitRecord = (
  when: (id: string, listener: (record: RequestRecord) => void) => () => void,
  id: string,
  within: Duration.Input
): Effect.Effect<RequestRecord> =>
  Effect.callback<RequestRecord>((resume) => {
    const cancel = when(id, (record) => resume(Effect.succeed(record)))
    return Effect.sync(cancel)
  }).pipe(
    Effect.timeout(within),
    Effect.catch(() => Effect.die(new Error(`the simulator did not finish ${id} in time`)))
  )

/** The simulator saw the client hang up (within 250 ms: a quiet machine sees a few) and wrote nothing after. */
const closedAndStopped = (simulator: SimulatorServer.SimulatorServer, id: string) =>
  Effect.gen(function*() {
    const record = yield* awaitRecord(simulator.whenFinished, id, "1 second")
    assert.strictEqual(record.end, "client_closed")
    assert.isTrue(record.stoppedAfterClose, `record: ${JSON.stringify(record)}`)
    assert.isAtMost(record.stopLatencyMillis ?? Infinity, 250)
  })

const live = (name: string, self: () => Effect.Effect<void, unknown, Scope.Scope>) => it.live(name, self)

describe("the behaviour table against the UpstreamSimulator", () => {
  live("done: sim steady ends with its [DONE]", () =>
    Effect.gen(function*() {
      const { error, outcome } = yield* play({
        scenario: Scenario.steady({ chunks: 5, gap: "5 millis" }),
        policy: { chunk: "1 second" }
      })
      assert.isUndefined(error)
      assert.strictEqual(outcome, "done")
    }))

  live("chunk_timeout: sim stall-after is cut, and the simulator stops", () =>
    Effect.gen(function*() {
      const { error, id, outcome, simulator } = yield* play({
        scenario: Scenario.stallAfter({ after: 2, gap: "5 millis" }),
        policy: { firstChunk: "2 seconds", chunk: "100 millis" }
      })
      assert.strictEqual((error as { _tag?: string } | undefined)?._tag, "ChunkTimeout")
      assert.strictEqual(outcome, "chunk_timeout")
      yield* closedAndStopped(simulator, id)
    }))

  live(
    "progress_timeout: sim ping-only keeps the connection alive but makes no progress",
    () =>
      Effect.gen(function*() {
        const { error, id, outcome, simulator } = yield* play({
          scenario: Scenario.pingOnly({ interval: "10 millis" }),
          policy: { chunk: "1 second", progress: "150 millis" }
        })
        assert.strictEqual((error as { _tag?: string } | undefined)?._tag, "ProgressTimeout")
        assert.strictEqual(outcome, "progress_timeout")
        yield* closedAndStopped(simulator, id)
      })
  )

  live("total_timeout: a steady stream longer than total is cut in the middle", () =>
    Effect.gen(function*() {
      const { error, id, outcome, simulator } = yield* play({
        scenario: Scenario.steady({ chunks: 1000, gap: "10 millis" }),
        policy: { total: "200 millis" }
      })
      assert.strictEqual((error as { _tag?: string } | undefined)?._tag, "TotalTimeout")
      assert.strictEqual(outcome, "total_timeout")
      yield* closedAndStopped(simulator, id)
    }))

  live("consumer_stopped: Stream.take(3) hangs up on a long stream", () =>
    Effect.gen(function*() {
      const { error, id, outcome, simulator } = yield* play({
        scenario: Scenario.steady({ chunks: 1000, gap: "5 millis" }),
        policy: {},
        take: 3
      })
      assert.isUndefined(error)
      assert.strictEqual(outcome, "consumer_stopped")
      yield* closedAndStopped(simulator, id)
    }))

  live("error_signal: sim error-mid fails with UpstreamErrorSignal", () =>
    Effect.gen(function*() {
      const { error, outcome } = yield* play({
        scenario: Scenario.errorMid({ after: 2, gap: "5 millis", errorType: "server_error" }),
        policy: { chunk: "1 second" }
      })
      assert.strictEqual((error as { _tag?: string } | undefined)?._tag, "UpstreamErrorSignal")
      assert.strictEqual(outcome, "error_signal")
    }))

  live("transport_error: sim reset-mid is a typed mid-stream reset, not a timeout", () =>
    Effect.gen(function*() {
      const { error, outcome } = yield* play({
        scenario: Scenario.resetMid({ after: 2, gap: "5 millis" }),
        policy: { chunk: "1 second" }
      })
      assert.strictEqual((error as { _tag?: string } | undefined)?._tag, "TransportError")
      assert.strictEqual((error as { stage?: string } | undefined)?.stage, "response")
      assert.strictEqual(outcome, "transport_error")
    }))

  live("unexpected_end: sim end-without-done fails with UnexpectedEnd", () =>
    Effect.gen(function*() {
      const { error, outcome } = yield* play({
        scenario: Scenario.endWithoutDone({ after: 2, gap: "5 millis" }),
        policy: { chunk: "1 second" }
      })
      assert.strictEqual((error as { _tag?: string } | undefined)?._tag, "UnexpectedEnd")
      assert.strictEqual(outcome, "unexpected_end")
    }))

  live("upstream_http_error: sim 429 is typed with its status and retry-after", () =>
    Effect.gen(function*() {
      const { error, outcome } = yield* play({
        scenario: Scenario.httpError({ status: 429, retryAfter: 3 }),
        policy: { chunk: "1 second" }
      })
      const http = error as { _tag?: string; status?: number; retryAfterMillis?: number } | undefined
      assert.strictEqual(http?._tag, "UpstreamHttpError")
      assert.strictEqual(http?.status, 429)
      assert.strictEqual(http?.retryAfterMillis, 3000)
      assert.strictEqual(outcome, "upstream_http_error")
    }))

  live(
    "headers_timeout: sim slow-headers never answers, and the simulator sees the close",
    () =>
      Effect.gen(function*() {
        const { error, id, outcome, simulator } = yield* play({
          scenario: Scenario.slowHeaders({ delay: "never" }),
          policy: { headers: "100 millis" }
        })
        assert.strictEqual((error as { _tag?: string } | undefined)?._tag, "HeadersTimeout")
        assert.strictEqual(outcome, "headers_timeout")
        const record = yield* awaitRecord(simulator.whenClosed, id, "1 second")
        assert.strictEqual(record.writesAfterClose, 0)
      })
  )
})
