import { HttpClientRequest } from "@effect/platform"
import { assert, describe, it } from "@effect/vitest"
import { LlmClient } from "@streamguard/client-effect3"
import { RequestProfile, StreamObserver, TimeoutPolicy } from "@streamguard/core-effect3"
import { Dialects } from "@streamguard/protocols-effect3"
import { Scenario, ScenarioSpec, UpstreamSimulator } from "@streamguard/simulator-effect3"
import { Effect, Layer, ManagedRuntime, Stream } from "effect"
import type { Scope } from "effect"
import { checkNoLeaks } from "./support/leaks.js"

/** One client and one simulator for the file, as the upstream of every row. */
const runtime = ManagedRuntime.make(Layer.mergeAll(LlmClient.layerUndici(), UpstreamSimulator.layer()))
checkNoLeaks(() => runtime.dispose())

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
    const simulator = yield* UpstreamSimulator.UpstreamSimulator
    const id = `row-${++nextId}`
    const outcomes: Array<string> = []
    const observer = Layer.succeed(StreamObserver.StreamObserver, {
      ...StreamObserver.noopService,
      ended: (_, ended) => Effect.sync(() => void outcomes.push(ended.outcome))
    })
    const request = HttpClientRequest.post(`${simulator.url}/v1/chat/completions`).pipe(
      HttpClientRequest.setHeaders({ "x-sim-request-id": id, "x-sim-scenario": ScenarioSpec.toHeader(row.scenario) }),
      HttpClientRequest.bodyUnsafeJson({ model: "m", stream: true, messages: [{ role: "user", content: "hi" }] })
    )
    const stream = LlmClient.stream(request, { dialect: Dialects.openaiChat })
    const exit = yield* (row.take === undefined ? stream : Stream.take(stream, row.take)).pipe(
      Stream.runCollect,
      Effect.timeout("5 seconds"),
      Effect.provide(Layer.mergeAll(RequestProfile.layer("sim", TimeoutPolicy.unsafeMake(row.policy)), observer)),
      Effect.exit
    )
    const error = exit._tag === "Failure" && exit.cause._tag === "Fail" ? exit.cause.error : undefined
    return { id, simulator, outcome: outcomes[0], error }
  }).pipe(Effect.provide(runtime))

/** The simulator saw the client hang up (within 250 ms: a quiet machine sees a few) and wrote nothing after. */
const closedAndStopped = (simulator: UpstreamSimulator.Service, id: string) =>
  Effect.gen(function*() {
    const record = yield* simulator.awaitFinished(id, { timeout: "1 second" })
    assert.strictEqual(record.end, "client_closed")
    assert.isTrue(record.stoppedAfterClose, `record: ${JSON.stringify(record)}`)
    assert.isAtMost(record.stopLatencyMillis ?? Infinity, 250)
  })

const live = (name: string, self: () => Effect.Effect<void, unknown, Scope.Scope>) => it.scopedLive(name, self)

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
        const record = yield* simulator.awaitClosed(id, { timeout: "1 second" })
        assert.strictEqual(record.writesAfterClose, 0)
      })
  )
})
