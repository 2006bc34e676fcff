import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import * as Replicas from "./Replicas.js"

const redisServer = Replicas.which("redis-server")
if (redisServer === undefined) {
  process.stderr.write(
    "SharedLimits: skipped, redis-server is not installed (apt-get install redis-server; .ci/run does)\n"
  )
}

/** One non-streamed chat call; its status, failing the test if it takes over 5 s (a hang). */
const call = (url: string) =>
  Effect.tryPromise(() =>
    fetch(`${url}/v1/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ model: "sim:steady?chunks=1", messages: [{ role: "user", content: "hi" }] })
    }).then(async (response) => {
      await response.arrayBuffer()
      return response.status
    })
  ).pipe(Effect.timeoutOrElse({ duration: "5 seconds", orElse: () => Effect.fail("a request hung") }))

/** `n` calls at once to each of `urls`: how many got each status. */
const burst = (urls: ReadonlyArray<string>, n: number) =>
  Effect.map(
    Effect.forEach(urls.flatMap((url) => Array.from({ length: n }, () => url)), call, { concurrency: "unbounded" }),
    (statuses) => {
      const counts: Record<number, number> = {}
      for (const status of statuses) counts[status] = (counts[status] ?? 0) + 1
      return counts
    }
  )

const metric = (url: string, name: string) =>
  Effect.promise(() => fetch(`${url}/metrics`).then((response) => response.text())).pipe(
    // The value of its one series, whatever labels the exporter adds.
    Effect.map((text) =>
      text.split("\n").filter((line) => line.startsWith(`${name} `) || line.startsWith(`${name}{`)).map((line) =>
        Number(line.slice(line.lastIndexOf(" ") + 1))
      )
    )
  )

const limit = (whenStoreDown: "local" | "refuse") => ({
  rateLimits: { upstreams: { simulator: { requests: 10, per: "1m", whenStoreDown } } }
})

const readyz = (url: string) =>
  Effect.promise(async () => {
    const response = await fetch(`${url}/readyz`)
    return (await response.json()) as unknown
  })

describe.skipIf(redisServer === undefined)("rate limits shared through Redis", () => {
  it.live(
    "two replicas sharing one rate let through its total, not twice it; without Redis, each its own",
    () =>
      Effect.gen(function*() {
        const redis = yield* Replicas.redis
        const config = { ...limit("local"), redisUrl: redis.url }
        const [a, b] = yield* Effect.all([Replicas.gateway(config), Replicas.gateway(config)], { concurrency: 2 })
        const shared = yield* burst([a.url, b.url], 15)
        assert.deepStrictEqual(shared, { 200: 10, 429: 20 })
        assert.deepStrictEqual(yield* readyz(a.url), { status: "ready", rateLimits: "redis" })

        redis.process.kill("SIGKILL")
        yield* redis.exited
        // Each replica now counts the same rate on its own, from zero: 10 each, and no request waits.
        const local = yield* burst([a.url, b.url], 12)
        assert.deepStrictEqual(local, { 200: 20, 429: 4 })
        for (const replica of [a, b]) {
          yield* Replicas.awaitOutput(replica, /Redis unreachable, limits counted in this replica only/)
          assert.deepStrictEqual(yield* metric(replica.url, "streamguard_gateway_rate_limit_shared"), [0])
          // Still ready: it serves under its own counts, and says so.
          assert.deepStrictEqual(yield* readyz(replica.url), {
            status: "ready",
            rateLimits: "memory (redis unreachable)"
          })
          // The outage is told once, by the gateway: not by the Redis client on each reconnect.
          assert.notInclude(replica.output(), "[ioredis]")
        }
      }),
    { timeout: 30_000 }
  )

  it.live(
    "a rate that refuses while Redis is down answers 503, and no request hangs",
    () =>
      Effect.gen(function*() {
        const redis = yield* Replicas.redis
        const replica = yield* Replicas.gateway({ ...limit("refuse"), redisUrl: redis.url })
        assert.deepStrictEqual(yield* burst([replica.url], 3), { 200: 3 })
        redis.process.kill("SIGKILL")
        yield* redis.exited
        assert.deepStrictEqual(yield* burst([replica.url], 3), { 503: 3 })
      }),
    { timeout: 30_000 }
  )
})
