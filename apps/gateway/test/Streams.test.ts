import { assert, describe, it } from "@effect/vitest"
import type { StreamsView } from "@streamguard/gateway/relay/StreamsView"
import { Duration, Effect, Redacted } from "effect"
import { requestEnd, start } from "./GatewayUnderTest.js"

const get = (url: string, headers: Record<string, string> = {}) =>
  Effect.promise(() =>
    fetch(url, { headers }).then(async (r) => ({ status: r.status, headers: r.headers, text: await r.text() }))
  )

const prompt = "a prompt nobody but the upstream may read"

/** Opens a stream and reads it to its end in the background; the controller cuts it. */
const openStream = (url: string, model: string, requestId: string, headers: Record<string, string> = {}) => {
  const controller = new AbortController()
  void fetch(`${url}/v1/chat/completions`, {
    method: "POST",
    signal: controller.signal,
    headers: { "content-type": "application/json", "x-request-id": requestId, ...headers },
    body: JSON.stringify({ model, stream: true, messages: [{ role: "user", content: prompt }] })
  }).then((response) => response.text()).catch(() => undefined)
  return controller
}

/** `/streams.json` until `ready` holds of it, at most 5 s of real time. */
const viewWhen = (url: string, ready: (view: StreamsView) => boolean) =>
  Effect.gen(function*() {
    const deadline = Date.now() + 5_000
    while (true) {
      const view = JSON.parse((yield* get(`${url}/streams.json`)).text) as StreamsView
      if (ready(view)) return view
      if (Date.now() > deadline) return yield* Effect.die(`not seen in time: ${JSON.stringify(view)}`)
      yield* Effect.yieldNow
    }
  })

describe("/streams and /streams.json", () => {
  it.live("with keys configured both need one, as /metrics does: the page's 401 is its key form alone", () =>
    Effect.gen(function*() {
      const gateway = yield* start({ gatewayKeys: [Redacted.make("k-1")] })
      const metrics = yield* get(`${gateway.url}/metrics`)
      for (const headers of [{}, { authorization: "Bearer k-2" }]) {
        const json = yield* get(`${gateway.url}/streams.json`, headers)
        assert.deepStrictEqual([json.status, json.text], [401, metrics.text])
        const page = yield* get(`${gateway.url}/streams`, headers)
        assert.strictEqual(page.status, 401)
        assert.include(page.text, `<form id="key-form"`)
      }
      for (const headers of [{ authorization: "Bearer k-1" }, { "x-api-key": "k-1" }]) {
        assert.strictEqual((yield* get(`${gateway.url}/streams.json`, headers)).status, 200)
        const page = yield* get(`${gateway.url}/streams`, headers)
        assert.strictEqual(page.status, 200)
        assert.strictEqual(page.headers.get("content-type"), "text/html; charset=utf-8")
        // It loads nothing from anywhere: its own inline style and script, by hash, and its own origin.
        const policy = page.headers.get("content-security-policy")!
        assert.match(
          policy,
          /^default-src 'none'; script-src 'sha256-[^']+'; style-src 'sha256-[^']+'; connect-src 'self'/
        )
        assert.notMatch(page.text, /(src|href)=/)
      }
    }))

  it.live("shows a stream in flight by its configured names only, then its end; refuses a bad query", () =>
    Effect.gen(function*() {
      const gateway = yield* start({
        profiles: { fast: { chunk: Duration.seconds(2) } }
      }, { upstreamName: "primary-sim" })
      const stall = openStream(gateway.url, "sim:stall-after-3?gap=5ms", "json-stall", {
        "x-streamguard-profile": "fast"
      })
      yield* Effect.addFinalizer(() => Effect.sync(() => stall.abort()))
      const view = yield* viewWhen(gateway.url, (v) => v.streams.some((row) => row.chunks === 3))
      const row = view.streams[0]!
      assert.deepStrictEqual(
        [row.requestId, row.endpoint, row.model, row.upstream, row.profile, row.attempt, row.role, row.phase, row.next],
        [
          "json-stall",
          "openaiChat",
          "sim:stall-after-3?gap=5ms",
          "primary-sim",
          "fast",
          1,
          "primary",
          "streaming",
          "chunk"
        ]
      )
      assert.deepStrictEqual(row.bars.map((bar) => [bar.name, bar.of]), [["chunk", 2_000]])
      assert.deepStrictEqual([row.usage.contentEvents, row.usage.tokens], [3, "estimate"])
      assert.deepStrictEqual([view.inFlight, view.admission.slots, view.shuttingDown], [
        1,
        { inUse: 1, limit: 256 },
        false
      ])
      const text = JSON.stringify(view)
      for (const secret of [prompt, gateway.simulator.url, new URL(gateway.simulator.url).host]) {
        assert.notInclude(text, secret)
      }

      yield* requestEnd(gateway, "json-stall")
      const ended = yield* viewWhen(gateway.url, (v) => v.inFlight === 0)
      assert.deepStrictEqual(
        ended.ends.map((end) => [end.seq, end.requestId, end.outcome, end.phase, end.upstream, end.status]),
        [[1, "json-stall", "chunk_timeout", "streaming", "primary-sim", 200]]
      )
      assert.deepStrictEqual(ended.outcomes, { chunk_timeout: 1 })
      const after = JSON.parse((yield* get(`${gateway.url}/streams.json?after=1&limit=0`)).text) as StreamsView
      assert.deepStrictEqual([after.ends, after.lastEnd, after.streams], [[], 1, []])

      const bad = yield* get(`${gateway.url}/streams.json?limit=ten`)
      assert.strictEqual(bad.status, 400)
      assert.strictEqual(JSON.parse(bad.text).error.param, "limit")
    }))
})
