// A backend on Effect 4 that installed the packed libraries, in plain JavaScript (no TypeScript
// loader): it streams one chat completion from the UpstreamSimulator through LlmClient under the
// chat profile, then a stream that stalls after three chunks under a short chunk limit, then the
// same stall played in memory under the TestClock (no waiting), and prints what happened.
import { LlmClient } from "@streamguard/client"
import { Profiles, RequestProfile } from "@streamguard/core"
import { Dialects } from "@streamguard/protocols"
import { Scenario, UpstreamSimulator } from "@streamguard/simulator"
import { TestUpstream, TimeTravel } from "@streamguard/testing"
import { Duration, Effect, Layer, Stream } from "effect"
import { HttpClientRequest } from "effect/http"
import { TestClock } from "effect/testing"

const chat = (baseUrl, model) =>
  LlmClient.stream(
    HttpClientRequest.post(`${baseUrl}/v1/chat/completions`).pipe(
      HttpClientRequest.bodyJsonUnsafe({ model, stream: true, messages: [{ role: "user", content: "Hi" }] })
    ),
    { dialect: Dialects.openaiChat }
  ).pipe(
    Stream.map((chunk) => Dialects.openaiChat.text(chunk) ?? ""),
    Stream.mkString
  )

const program = Effect.gen(function*() {
  const simulator = yield* UpstreamSimulator.UpstreamSimulator
  const text = yield* chat(simulator.url, "sim:steady?chunks=5&gap=1ms")
  const stalled = yield* chat(simulator.url, "sim:stall-after-3").pipe(
    RequestProfile.withPolicy({ chunk: Duration.millis(300) }),
    Effect.flip
  )
  const [, second] = yield* simulator.requests
  const closed = yield* simulator.awaitClosed(second.id)
  return {
    text,
    stalled: stalled._tag,
    limitMillis: stalled.limitMillis,
    upstreamClosed: closed.closedAt !== undefined
  }
})

const live = Layer.mergeAll(LlmClient.layerUndici(), Profiles.chat, UpstreamSimulator.layer())

// Under the TestClock: the chat profile's 30 s chunk limit ends the stall at 30 s of virtual time.
const timeTravel = TimeTravel.expectTimeout(chat("http://upstream.test", "any"), "ChunkTimeout", {
  at: "30 seconds"
}).pipe(
  Effect.map((timeout) => timeout.limitMillis),
  Effect.provide(Layer.mergeAll(TestUpstream.layer(() => Scenario.stallAfter({ after: 3, gap: 0 })), Profiles.chat)),
  Effect.provide(TestClock.layer())
)

const both = Effect.all({ live: Effect.scoped(program.pipe(Effect.provide(live))), testClockLimitMillis: timeTravel })

Effect.runPromise(both).then(
  ({ live, testClockLimitMillis }) => console.log(JSON.stringify({ ...live, testClockLimitMillis })),
  (error) => {
    console.error(error)
    process.exitCode = 1
  }
)
