import { NodeFileSystem } from "@effect/platform-node"
import { assert, describe, it } from "@effect/vitest"
import { Config } from "@streamguard/gateway"
import * as Route from "@streamguard/gateway/config/Route"
import { ScenarioSpec, Simulation, UpstreamSimulator } from "@streamguard/simulator"
import { ConfigProvider, Duration, Effect, Exit, Result, Scope } from "effect"
import { mkdtempSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import OpenAI from "openai"
import { requestEnd, start } from "./GatewayUnderTest.js"

const expectedText = (model: string): string => Simulation.text(Result.getOrThrow(ScenarioSpec.fromModel(model)))

const openai = (url: string, headers: Record<string, string> = {}) =>
  new OpenAI({ baseURL: `${url}/v1`, apiKey: "client-key", maxRetries: 0, defaultHeaders: headers })

const upstream = (name: string, url: string) =>
  Config.Upstream.make({ name, baseUrl: `${url}/v1`, dialect: "any", models: [] })

const route = (entry: Route.RouteEntry) => entry

/** A simulator whose port is closed again: connecting to it is refused. */
const refusingUrl = Effect.gen(function*() {
  const scope = yield* Scope.make()
  const simulator = yield* Scope.provide(UpstreamSimulator.make(), scope)
  yield* Scope.close(scope, Exit.void)
  return simulator.url
})

const post = (url: string, body: unknown, headers: Record<string, string> = {}) =>
  Effect.promise(async () => {
    const response = await fetch(`${url}/v1/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json", ...headers },
      body: JSON.stringify(body)
    })
    return { status: response.status, text: await response.text() }
  })

describe("routes through the gateway", () => {
  it.live("the openai SDK streams a completion served by the second upstream when the first refuses", () =>
    Effect.gen(function*() {
      const refusing = yield* refusingUrl
      const gateway = yield* start({
        routes: [route({ models: ["sim:*"], upstreams: ["first", "sim"] })]
      }, { moreUpstreams: [upstream("first", refusing)] })
      const model = "sim:steady?chunks=6&gap=5ms"
      const text = yield* Effect.promise(async () => {
        const stream = await openai(gateway.url, { "x-request-id": "fallback" }).chat.completions.create({
          model,
          messages: [{ role: "user", content: "hi" }],
          stream: true
        })
        let text = ""
        for await (const chunk of stream) text += chunk.choices[0]?.delta?.content ?? ""
        return text
      })
      assert.strictEqual(text, expectedText(model))
      const line = yield* requestEnd(gateway, "fallback")
      assert.strictEqual(line["outcome"], "done")
      assert.strictEqual(line["upstream"], "sim")
      assert.strictEqual(line["attempts"], 2)
      assert.deepStrictEqual(
        (line["tried"] as ReadonlyArray<{ upstream: string; role: string; result: string }>).map((a) =>
          `${a.upstream}:${a.role}:${a.result}`
        ),
        ["first:primary:transport_error", "sim:fallback:served"]
      )
      const usage = line["usage"] as Record<string, unknown>
      assert.strictEqual(usage["contentEvents"], 6)
      assert.strictEqual(usage["characters"], expectedText(model).length)
      // The route's pattern is listed once, by the upstream that serves it first.
      const models = yield* Effect.promise(() => fetch(`${gateway.url}/v1/models`).then((r) => r.json() as any))
      const listed = (models.data as ReadonlyArray<{ id: string; owned_by: string }>).filter((m) => m.id === "sim:*")
      assert.deepStrictEqual(listed.map((m) => m.owned_by), ["first"])
    }))

  it.live("a non-streamed call falls back past an upstream 503", () =>
    Effect.gen(function*() {
      const gateway = yield* start({
        routes: [route({
          models: ["chain"],
          upstreams: [{ upstream: "sim", model: "sim:503" }, { upstream: "sim", model: "sim:steady?chunks=2&gap=1ms" }]
        })]
      })
      const response = yield* post(gateway.url, { model: "chain", messages: [{ role: "user", content: "hi" }] }, {
        "x-request-id": "batch"
      })
      assert.strictEqual(response.status, 200)
      const line = yield* requestEnd(gateway, "batch")
      assert.strictEqual(line["attempts"], 2)
    }))

  for (const winner of ["hedge", "first"] as const) {
    it.live(`the simulator sees the loser of a hedge closed (the ${winner} upstream wins)`, () =>
      Effect.gen(function*() {
        const second = yield* UpstreamSimulator.make()
        const slow = "sim:think-5s?chunks=3&gap=5ms"
        const fast = winner === "hedge" ? "sim:steady?chunks=3&gap=5ms" : "sim:think-5s?chunks=3&gap=5ms"
        const first = winner === "hedge" ? slow : "sim:think-400ms?chunks=3&gap=5ms"
        const gateway = yield* start({
          routes: [route({
            models: ["hedged"],
            upstreams: [{ upstream: "sim", model: first }, { upstream: "second", model: fast }],
            hedgeAfter: Duration.millis(150)
          })]
        }, { moreUpstreams: [upstream("second", second.url)] })
        const response = yield* post(gateway.url, {
          model: "hedged",
          stream: true,
          messages: [{ role: "user", content: "hi" }]
        }, { "x-request-id": "hedged" })
        assert.strictEqual(response.status, 200)
        assert.include(response.text, "data: [DONE]")
        const line = yield* requestEnd(gateway, "hedged")
        assert.strictEqual(line["upstream"], winner === "hedge" ? "second" : "sim")
        const loser = winner === "hedge" ? gateway.simulator : second
        const [record] = yield* loser.requests
        const closed = yield* loser.awaitClosed(record!.id, { timeout: "2 seconds" })
        assert.strictEqual(closed.end, "client_closed")
        // The loser was closed when the winner's first content came, long before its own would have.
        assert.isBelow(closed.closedAt! - closed.startedAt, 2_000)
      }))
  }

  it.live(
    "three silent upstreams cut by the shared total: the error gives the request's total and time, and the last one's share",
    () =>
      Effect.gen(function*() {
        const silent = { upstream: "sim", model: "sim:think-60s" }
        const gateway = yield* start({
          routes: [route({ models: ["chain"], upstreams: [silent, silent, silent] })],
          profiles: {
            budget: { firstChunk: Duration.seconds(1), total: Duration.millis(2500) }
          }
        })
        const response = yield* post(gateway.url, {
          model: "chain",
          stream: true,
          messages: [{ role: "user", content: "hi" }]
        }, { "x-streamguard-profile": "budget", "x-request-id": "budget" })
        // The last upstream's role chunk went out: the error is the stream's last event.
        const errorLine = response.text.split("\n").find((l) => l.startsWith("data: {\"error\""))!
        const error = JSON.parse(errorLine.slice("data: ".length)).error
        assert.strictEqual(error.type, "total_timeout")
        // The last attempt was given what the first two left: about 500 ms.
        assert.match(error.message, /\(limit 2500 ms, \d+ ms of it this attempt's; \d+ ms into the request/)
        assert.isAtLeast(error.elapsed_ms, 2400)
        const line = yield* requestEnd(gateway, "budget")
        assert.strictEqual(line["attempts"], 3)
      }),
    { timeout: 20_000 }
  )

  it.live(
    "a non-streamed call cut by the shared request limit: the error gives the request's limit and time",
    () =>
      Effect.gen(function*() {
        // headers 400 ms, request 900 ms: two upstreams time out on their headers, the third is given
        // the 100 ms left and cut by the request limit.
        const slow = { upstream: "sim", model: "sim:slow-headers-10s" }
        const gateway = yield* start({
          routes: [route({ models: ["chain"], upstreams: [slow, slow, slow] })],
          profiles: {
            budget: { headers: Duration.millis(400), request: Duration.millis(900) }
          }
        })
        const response = yield* post(gateway.url, { model: "chain", messages: [{ role: "user", content: "hi" }] }, {
          "x-streamguard-profile": "budget",
          "x-request-id": "budget"
        })
        assert.strictEqual(response.status, 504)
        const error = JSON.parse(response.text).error
        assert.strictEqual(error.type, "request_timeout")
        assert.match(error.message, /\(limit 900 ms, \d+ ms of it this attempt's; \d+ ms into the request/)
        assert.isAtLeast(error.elapsed_ms, 850)
      }),
    { timeout: 20_000 }
  )

  it.live("a cut stream's error event and end line say what was delivered", () =>
    Effect.gen(function*() {
      const gateway = yield* start({
        profiles: { fast: { chunk: Duration.millis(300) } }
      })
      const response = yield* post(gateway.url, {
        model: "sim:stall-after-3?gap=5ms",
        stream: true,
        messages: [{ role: "user", content: "hi" }]
      }, { "x-streamguard-profile": "fast", "x-request-id": "cut" })
      const errorLine = response.text.split("\n").find((l) => l.startsWith("data: {\"error\""))!
      const error = JSON.parse(errorLine.slice("data: ".length)).error
      assert.strictEqual(error.type, "chunk_timeout")
      assert.strictEqual(error.upstream, "sim")
      assert.strictEqual(error.attempts, 1)
      assert.strictEqual(error.usage.content_events, 3)
      assert.strictEqual(error.usage.tokens, "estimate")
      assert.strictEqual(error.usage.output_tokens, Math.ceil(error.usage.characters / 4))
      const line = yield* requestEnd(gateway, "cut")
      assert.deepStrictEqual((line["usage"] as Record<string, unknown>)["contentEvents"], 3)
    }))

  it.live("the end line takes the tokens from the upstream's own usage when it sent one", () =>
    Effect.gen(function*() {
      const gateway = yield* start()
      const response = yield* Effect.promise(async () => {
        const r = await fetch(`${gateway.url}/v1/messages`, {
          method: "POST",
          headers: { "content-type": "application/json", "x-request-id": "usage" },
          body: JSON.stringify({
            model: "sim:steady?chunks=4&gap=1ms",
            max_tokens: 64,
            stream: true,
            messages: [{ role: "user", content: "hi" }]
          })
        })
        return r.text()
      })
      // Anthropic's message_delta carries the output tokens: the line reports that count.
      const delta = response.split("\n").filter((l) => l.includes("\"message_delta\"")).pop()!
      const reported = JSON.parse(delta.slice(delta.indexOf("{"))).usage.output_tokens
      const usage = (yield* requestEnd(gateway, "usage"))["usage"] as Record<string, unknown>
      assert.strictEqual(usage["tokens"], "upstream")
      assert.strictEqual(usage["outputTokens"], reported)
      assert.strictEqual(usage["contentEvents"], 4)
    }))
})

describe("usage of a cut Anthropic stream", () => {
  it.live("keeps message_start's prompt count and estimates the output it never counted", () =>
    Effect.gen(function*() {
      const gateway = yield* start({
        profiles: { fast: { chunk: Duration.millis(300) } }
      })
      yield* Effect.promise(async () => {
        const r = await fetch(`${gateway.url}/v1/messages`, {
          method: "POST",
          headers: { "content-type": "application/json", "x-request-id": "cut", "x-streamguard-profile": "fast" },
          body: JSON.stringify({
            model: "sim:stall-after-3?gap=5ms",
            max_tokens: 64,
            stream: true,
            messages: [{ role: "user", content: "hi" }]
          })
        })
        return r.text()
      })
      const usage = (yield* requestEnd(gateway, "cut"))["usage"] as Record<string, number | string>
      assert.strictEqual(usage["contentEvents"], 3)
      assert.strictEqual(usage["tokens"], "estimate")
      assert.isAbove(usage["inputTokens"] as number, 0)
      assert.strictEqual(usage["outputTokens"], Math.ceil((usage["characters"] as number) / 4))
    }))
})

const loadFile = (file: unknown) => {
  const path = join(mkdtempSync(join(tmpdir(), "routes-")), "config.json")
  writeFileSync(path, JSON.stringify(file))
  return Config.load.pipe(
    Effect.provideService(ConfigProvider.ConfigProvider, ConfigProvider.fromEnv({ env: { STREAMGUARD_CONFIG: path } })),
    Effect.provide(NodeFileSystem.layer)
  )
}

describe("routes in the config", () => {
  it.effect("the config file takes routes with fallbacks and hedgeAfter, and upstreams without models", () =>
    Effect.gen(function*() {
      const config = yield* loadFile({
        upstreams: [
          { name: "a", baseUrl: "http://a.test/v1", dialect: "openai" },
          { name: "b", baseUrl: "http://b.test/v1", dialect: "openai", models: ["gpt-*"] }
        ],
        routes: [{ models: ["m-*"], upstreams: ["a", { upstream: "b", model: "m-eu" }], hedgeAfter: "3s" }]
      })
      assert.deepStrictEqual(config.upstreams[0]!.models, [])
      assert.strictEqual(Duration.toMillis(config.routes[0]!.hedgeAfter!), 3_000)
      const unknown = yield* Effect.flip(loadFile({
        upstreams: [{ name: "a", baseUrl: "http://a.test/v1", dialect: "openai" }],
        routes: [{ models: ["m"], upstreams: ["a", "z"] }]
      }))
      assert.strictEqual(unknown.key, "routes[0]")
      // A misspelt key is refused, as everywhere in the file.
      const misspelt = yield* Effect.exit(loadFile({
        upstreams: [{ name: "a", baseUrl: "http://a.test/v1", dialect: "openai" }],
        routes: [{ models: ["m"], upstreams: ["a"], hedgeAfer: "1s" }]
      }))
      assert.isTrue(Exit.isFailure(misspelt))
    }))

  it.effect("an unknown upstream or mixed dialects stop start-up naming the route", () =>
    Effect.gen(function*() {
      const sim = Config.Upstream.make({ name: "sim", baseUrl: "http://x/v1", dialect: "any", models: ["sim:*"] })
      const claude = Config.Upstream.make({ name: "claude", baseUrl: "http://y/v1", dialect: "anthropic" })
      const unknown = yield* Effect.flip(Route.resolve([{ models: ["m"], upstreams: ["sim", "nope"] }], [sim]))
      assert.include(unknown.message, "routes[0]")
      assert.include(unknown.message, "nope")
      const mixed = yield* Effect.flip(Route.resolve([{ models: ["m"], upstreams: ["sim", "claude"] }], [sim, claude]))
      assert.include(mixed.message, "one dialect")
    }))

  it.effect("a plain upstream is a route of one, and hedging is off unless hedgeAfter is set", () =>
    Effect.gen(function*() {
      const sim = Config.Upstream.make({ name: "sim", baseUrl: "http://x/v1", dialect: "any", models: ["sim:*"] })
      const [chain] = yield* Route.resolve([{ models: ["m"], upstreams: ["sim", { upstream: "sim", model: "n" }] }], [
        sim
      ])
      assert.strictEqual(chain!.maxHedges, 0)
      assert.strictEqual(chain!.targets.length, 2)
      assert.strictEqual(Route.single(sim).targets[0].upstream.name, "sim")
    }))
})
