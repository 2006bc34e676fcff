import { assert, describe, it } from "@effect/vitest"
import { LlmClient } from "@streamguard/client"
import { RequestProfile, TimeoutPolicy } from "@streamguard/core"
import { Dialects } from "@streamguard/protocols"
import { Scenario, Step } from "@streamguard/simulator"
import { TestUpstream, TimeTravel } from "@streamguard/testing"
import { Effect, Exit, Layer, Option, Schedule, Stream } from "effect"
import { HttpClientRequest } from "effect/http"
import { TestClock } from "effect/testing"

const request = HttpClientRequest.post("https://upstream.test/v1/messages").pipe(
  HttpClientRequest.bodyJsonUnsafe({ model: "m", stream: true })
)

const call = LlmClient.stream(request, { dialect: Dialects.anthropic, retry: Schedule.recurs(2) }).pipe(
  Stream.runCollect
)

/**
 * One scenario per way a stream ends, with the moment it ends. The clock is moved only that far:
 * every TestClock wake-up costs real milliseconds.
 */
const scenarios: ReadonlyArray<readonly [TestUpstream.Scripts, number]> = [
  [Scenario.steady({ chunks: 3, gap: "1 second", jitter: 0 }), 3000],
  [[Step.chunk("a"), Step.wait("2 seconds"), Step.error({ errorType: "overloaded_error" })], 2000],
  [Scenario.stallAfter({ after: 2, gap: 0 }), 5000],
  [[Step.chunk("a"), Step.wait("1 second"), Step.end], 1000],
  [[Step.chunk("a"), Step.wait("1 second"), Step.reset], 1000],
  [
    (r) =>
      r.attempt === 1
        ? Scenario.httpError({ status: 503, retryAfter: 2 })
        : Scenario.steady({ chunks: 1, gap: "1 second", jitter: 0 }),
    3000
  ]
]

const profile = RequestProfile.layer("determinism", TimeoutPolicy.unsafeMake({ chunk: "5 seconds" }))

/** What a run shows: how the call ended, when, and what the upstream recorded. */
const runOnce = (scripts: TestUpstream.Scripts, at: number) =>
  Effect.gen(function*() {
    const ended = yield* TimeTravel.runFor(call, at)
    const exchanges = yield* TestUpstream.exchanges
    return JSON.stringify({
      ended: Option.map(ended, ({ atMillis, exit }) => ({
        atMillis,
        exit: Exit.match(exit, {
          onSuccess: (chunks) => ({ chunks: [...chunks].length }),
          onFailure: (cause) => ({ failure: String(cause) })
        })
      })),
      exchanges: exchanges.map(({ record, request }) => ({ attempt: request.attempt, record: record.toJSON() }))
    })
  }).pipe(
    // Only a chunk limit: the profiles' connect and write timers would add TestClock wake-ups.
    Effect.provide(Layer.merge(TestUpstream.layer(scripts), profile)),
    // A fresh TestClock, at 0, for every run.
    Effect.provide(TestClock.layer())
  )

describe("TestUpstream: determinism", () => {
  it.effect(
    "20 runs of every scenario give identical results (outcome, moment, upstream records)",
    () =>
      Effect.gen(function*() {
        const runs: Array<ReadonlyArray<string>> = []
        for (let run = 0; run < 20; run++) {
          runs.push(yield* Effect.forEach(scenarios, ([scripts, at]) => runOnce(scripts, at)))
        }
        for (const [i, results] of runs.entries()) assert.deepStrictEqual(results, runs[0], `run ${i + 1}`)
        // And the results say what the scenarios mean, so identical is not identically empty.
        const first = runs[0]!.map((result) => JSON.parse(result))
        assert.deepStrictEqual(first.map((result) => result.ended.value?.atMillis), scenarios.map(([, at]) => at))
        assert.deepStrictEqual(first.map((result) => Object.keys(result.ended.value?.exit)[0]), [
          "chunks",
          "failure",
          "failure",
          "failure",
          "failure",
          "chunks"
        ])
        assert.deepStrictEqual(first.map((result) => result.exchanges.length), [1, 1, 1, 1, 1, 2])
      }),
    60_000
  )
})
