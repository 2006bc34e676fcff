/**
 * `Driver.underTestClock` on the Effect 4 line: every case forked in one fresh runtime under one
 * fresh `TestClock`, through the guard, `LlmClient.stream` or `LlmClient.batch`, the clock moved
 * to each probe in turn.
 */
import type { Case, Ended, Run, Snapshot, Via } from "@streamguard/behaviour"
import { LlmClient } from "@streamguard/client"
import { Guard, RequestProfile, StreamObserver } from "@streamguard/core"
import { Dialects } from "@streamguard/protocols"
import { TestUpstream } from "@streamguard/testing"
import type { Exit, Scope } from "effect"
import { Clock, Effect, Layer, Logger, Stream } from "effect"
import { HttpClientRequest } from "effect/http"
import { TestClock } from "effect/testing"
import { forkConsumer, recordingObserver, resultOf } from "./consumers.js"
import { toTimeoutPolicy } from "./policies.js"
import { guardUpstream, scenarioOf, textOf } from "./upstreams.js"

/** One running case: what its consumer received, and how and when it ended once it has. */
interface Started {
  readonly content: Array<string>
  readonly observed: () => Ended["observed"]
  /** When the upstream was let go of, read once the run is over. */
  readonly released: Effect.Effect<number | undefined>
  ended: { readonly exit: Exit.Exit<void, unknown>; readonly atMillis: number } | undefined
}

const request = (stream: boolean) =>
  HttpClientRequest.post("https://upstream.test/v1/chat/completions").pipe(
    HttpClientRequest.bodyJsonUnsafe({ model: "m", stream, messages: [{ role: "user", content: "Hi" }] })
  )

/** The message content of a batch answer in the `openaiChat` dialect. */
const messageOf = (text: string): string => JSON.parse(text).choices[0].message.content

/** How the consumer reaches the case's upstream, as a stream of content texts, and when it let go of it. */
const reach = (via: Via, testCase: Case, observer: StreamObserver.Service) =>
  Effect.gen(function*() {
    const policy = toTimeoutPolicy(testCase.policy)
    if (via === "guard") {
      let releasedAt: number | undefined
      const upstream = guardUpstream(testCase.upstream).pipe(
        Stream.ensuring(Effect.map(Clock.currentTimeMillis, (now) => (releasedAt = now)))
      )
      const texts = upstream.pipe(
        Guard.guard(policy, { isReasoning: (value) => value.reasoning, observer }),
        Stream.map((value) => value.text)
      )
      return { texts, released: Effect.sync(() => releasedAt) }
    }
    const context = yield* Layer.build(Layer.mergeAll(
      TestUpstream.layer(scenarioOf(testCase.upstream)),
      RequestProfile.layer("behaviour", policy),
      StreamObserver.layer(observer)
    ))
    const texts: Stream.Stream<string, unknown, LlmClient.LlmClient | RequestProfile.RequestProfile> = via === "stream"
      ? Stream.map(LlmClient.stream(request(true), { dialect: Dialects.openaiChat }), textOf)
      : Stream.fromEffect(Effect.map(LlmClient.batch(request(false)), (response) => messageOf(response.text)))
    const released = Effect.map(TestUpstream.exchanges, (exchanges) => {
      const record = exchanges[0]?.record
      return record === undefined ? undefined : record.closedAt ?? record.finishedAt ?? undefined
    })
    return {
      texts: Stream.provideContext(texts, context),
      released: Effect.provide(released, context)
    }
  })

const start = (via: Via, testCase: Case): Effect.Effect<Started, never, Scope.Scope> =>
  Effect.gen(function*() {
    const observer = recordingObserver()
    const { released, texts } = yield* reach(via, testCase, observer.service)
    const content: Array<string> = []
    const started: Started = { content, observed: observer.observed, released, ended: undefined }
    // The consumer's fiber is the run's child: the run interrupts it as it ends, if it has not ended.
    yield* forkConsumer(
      texts,
      testCase.consumer ?? { _tag: "Drain" },
      (text) => content.push(text),
      (exit) => Effect.map(Clock.currentTimeMillis, (atMillis) => void (started.ended = { exit, atMillis }))
    )
    return started
  })

// Fibers woken by the clock may need a few turns (finalizers, scopes closing) before they are done.
const settleTurns = 50

const endOf = (started: Started): Effect.Effect<Ended | undefined> =>
  Effect.map(started.released, (released) => {
    if (started.ended === undefined) return undefined
    return {
      ...resultOf(started.ended.exit),
      observed: started.observed(),
      atMillis: started.ended.atMillis,
      content: [...started.content],
      upstreamReleasedAtMillis: released
    }
  })

const runAll = (via: Via, cases: ReadonlyArray<Case>, probes: ReadonlyArray<number>) =>
  Effect.gen(function*() {
    // A fresh TestClock starts at 0: every time below is from the cases' start.
    const started = yield* Effect.forEach(cases, (testCase) => start(via, testCase))
    const snapshots = cases.map((): Array<Snapshot> => [])
    let now = 0
    for (const probe of probes) {
      yield* TestClock.adjust(probe - now)
      now = probe
      for (let turn = 0; turn < settleTurns; turn++) yield* Effect.yieldNow
      started.forEach((run, i) =>
        snapshots[i]!.push({ atMillis: probe, running: run.ended === undefined, content: [...run.content] })
      )
    }
    const runs: Array<Run> = []
    for (const [i, run] of started.entries()) runs.push({ snapshots: snapshots[i]!, ended: yield* endOf(run) })
    return runs
  })

/** A fresh `TestClock` at 0; logs are the line's business, not the suite's output. */
const testEnvironment = Layer.merge(TestClock.layer(), Logger.layer([]))

/** `Driver.underTestClock`: one runtime, one `TestClock`, every case under it. */
export const underTestClock = (
  via: Via,
  cases: ReadonlyArray<Case>,
  probes: ReadonlyArray<number>
): Promise<ReadonlyArray<Run>> =>
  // Closing the scope interrupts the runs still going and releases every case's upstream.
  Effect.runPromise(runAll(via, cases, probes).pipe(Effect.scoped, Effect.provide(testEnvironment)))
