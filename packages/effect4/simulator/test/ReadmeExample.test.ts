import { assert, describe, it } from "@effect/vitest"
import { UpstreamSimulator } from "@streamguard/simulator"
import { Effect } from "effect"

// The code under test: it reads a streamed chat completion, and gives up after `millis`.
const readAnswer = (baseUrl: string, model: string, millis: number) =>
  Effect.promise(() =>
    fetch(`${baseUrl}/v1/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-sim-request-id": "under-test" },
      body: JSON.stringify({ model, stream: true, messages: [{ role: "user", content: "Hi" }] }),
      signal: AbortSignal.timeout(millis)
    }).then((response) => response.text()).catch(() => "gave up")
  )

describe("a client that gives up on a stalled stream", () => {
  it.live("closes its connection, and the upstream stops generating when it does", () =>
    Effect.gen(function*() {
      const sim = yield* UpstreamSimulator.make()
      // Two tokens 5 ms apart, then silence with the connection open.
      const answer = yield* readAnswer(sim.url, "sim:stall-after-2?gap=5ms", 200)
      assert.strictEqual(answer, "gave up")
      const record = yield* sim.awaitFinished("under-test")
      assert.strictEqual(record.end, "client_closed")
      assert.strictEqual(record.chunks, 2)
      assert.isTrue(record.stoppedAfterClose)
    }))
})
