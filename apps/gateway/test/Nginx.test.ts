import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import * as Replicas from "./Replicas.js"

const nginx = Replicas.which("nginx")
if (nginx === undefined) {
  process.stderr.write("Nginx: skipped, nginx is not installed (apt-get install nginx; .ci/run does)\n")
}

interface Opened {
  readonly status: number
  /** The replica that answered: the last address nginx tried. */
  readonly replica: number
  /** The whole body, once the stream ended. */
  readonly body: Promise<string>
}

/** Opens a stream through nginx; resolves once the response's headers arrived. */
const open = (url: string, model: string) =>
  Effect.promise(async (): Promise<Opened> => {
    const response = await fetch(`${url}/v1/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ model, stream: true, messages: [{ role: "user", content: "hi" }] })
    })
    const tried = response.headers.get("x-streamguard-replica") ?? ""
    const replica = Number(tried.split(",").at(-1)!.trim().split(":").at(-1))
    return { status: response.status, replica, body: response.text() }
  })

const long = "sim:steady?chunks=10&gap=200ms"
const short = "sim:steady?chunks=3&gap=5ms"

describe.skipIf(nginx === undefined)("two replicas behind nginx", () => {
  it.live(
    "200 streams spread over both; on SIGTERM to one, its open streams complete or end with shutting_down and every new request is served by the other",
    () =>
      Effect.gen(function*() {
        const env = { STREAMGUARD_DRAIN_TIMEOUT: "1s" }
        const [a, b] = yield* Effect.all([Replicas.gateway({}, env), Replicas.gateway({}, env)], { concurrency: 2 })
        const balancer = yield* Replicas.nginx([a.port, b.port])

        const streams = yield* Effect.forEach(Array.from({ length: 200 }), () => open(balancer.url, long), {
          concurrency: "unbounded"
        })
        assert.deepStrictEqual(streams.filter((s) => s.status !== 200), [])
        const onA = streams.filter((s) => s.replica === a.port).length
        assert.isAbove(onA, 50)
        assert.isAbove(200 - onA, 50)

        a.process.kill("SIGTERM")
        // From here on it answers 503 shutting_down to anything new, which nginx sends to the other.
        yield* Replicas.awaitOutput(a, /shutting down: draining streams in flight/)
        const later = yield* Effect.forEach(Array.from({ length: 50 }), () => open(balancer.url, short), {
          concurrency: 10
        })
        for (const request of later) {
          assert.strictEqual(request.status, 200)
          assert.strictEqual(request.replica, b.port)
          assert.include(yield* Effect.promise(() => request.body), "data: [DONE]")
        }

        const bodies = yield* Effect.promise(() => Promise.all(streams.map((s) => s.body)))
        const ended = bodies.map((body) =>
          body.includes("data: [DONE]") ? "completed" : body.includes("shutting_down") ? "shutting_down" : body
        )
        assert.deepStrictEqual(ended.filter((e) => e !== "completed" && e !== "shutting_down"), [])
        assert.strictEqual(yield* a.exited, 0)
      }),
    { timeout: 30_000 }
  )
})
