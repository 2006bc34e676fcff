import AnthropicSdk from "@anthropic-ai/sdk"
import { assert, describe, it } from "@effect/vitest"
import { ProfileConfig } from "@streamguard/core"
import { ScenarioSpec, Simulation } from "@streamguard/simulator"
import { Duration, Effect, Result, Schema } from "effect"
import OpenAI from "openai"
import { start, streamEnd } from "./GatewayUnderTest.js"

const expectedText = (model: string): string => Simulation.text(Result.getOrThrow(ScenarioSpec.fromModel(model)))

const openai = (url: string, headers: Record<string, string> = {}) =>
  new OpenAI({ baseURL: `${url}/v1`, apiKey: "client-key", maxRetries: 0, defaultHeaders: headers })

const profileEntry = (fields: Partial<Record<"chunk" | "firstChunk" | "total" | "pool" | "headers", string>>) =>
  Schema.decodeUnknownSync(ProfileConfig.ProfileEntry)(fields)

/** Reads an SSE response body as text until it ends, with the time each piece arrived. */
const readAll = (response: Response) =>
  Effect.promise(async () => {
    const pieces: Array<string> = []
    const reader = response.body!.getReader()
    const decoder = new TextDecoder()
    for (;;) {
      const { done, value } = await reader.read()
      if (done) break
      pieces.push(decoder.decode(value, { stream: true }))
    }
    return pieces.join("")
  })

describe("streaming through the gateway", () => {
  it.live("the openai SDK streams sim:steady to the end with the simulator's text", () =>
    Effect.gen(function*() {
      const gateway = yield* start()
      const model = "sim:steady?chunks=8&gap=5ms"
      const text = yield* Effect.promise(async () => {
        const stream = await openai(gateway.url).chat.completions.create({
          model,
          messages: [{ role: "user", content: "hi" }],
          stream: true
        })
        let text = ""
        for await (const chunk of stream) text += chunk.choices[0]?.delta?.content ?? ""
        return text
      })
      assert.strictEqual(text, expectedText(model))
      const line = yield* streamEnd(gateway)
      assert.strictEqual(line["outcome"], "done")
      assert.strictEqual(line["chunks"], 8)
      assert.notInclude(JSON.stringify(yield* gateway.logs), "client-key")
    }))

  it.live("the openai SDK gets a non-streamed completion", () =>
    Effect.gen(function*() {
      const gateway = yield* start()
      const model = "sim:steady?chunks=4&gap=1ms"
      const completion = yield* Effect.promise(() =>
        openai(gateway.url).chat.completions.create({ model, messages: [{ role: "user", content: "hi" }] })
      )
      assert.strictEqual(completion.choices[0]?.message.content, expectedText(model))
    }))

  it.live("the anthropic SDK streams /v1/messages to the end", () =>
    Effect.gen(function*() {
      const gateway = yield* start()
      const model = "sim:steady?chunks=6&gap=5ms"
      const client = new AnthropicSdk({ baseURL: gateway.url, apiKey: "client-key", maxRetries: 0 })
      const text = yield* Effect.promise(async () => {
        const stream = client.messages.stream({
          model,
          max_tokens: 64,
          messages: [{ role: "user", content: "hi" }]
        })
        return await stream.finalText()
      })
      assert.strictEqual(text, expectedText(model))
    }))

  it.live("a stall after 3 chunks ends with a chunk_timeout error event and the upstream closed", () =>
    Effect.gen(function*() {
      const gateway = yield* start({ profiles: { fast: profileEntry({ chunk: "300 millis" }) } })
      const model = "sim:stall-after-3?gap=5ms"
      const result = yield* Effect.promise(async () => {
        const stream = await openai(gateway.url, { "x-streamguard-profile": "fast", "x-sim-request-id": "stall" })
          .chat.completions.create({ model, messages: [{ role: "user", content: "hi" }], stream: true })
        const received: Array<string> = []
        try {
          for await (const chunk of stream) {
            const content = chunk.choices[0]?.delta?.content
            if (content) received.push(content)
          }
          return { received, error: undefined }
        } catch (error) {
          return { received, error: error as InstanceType<typeof OpenAI.APIError> }
        }
      })
      assert.strictEqual(result.received.length, 3)
      assert.isDefined(result.error)
      assert.include(String(result.error?.message), "stream went silent")
      assert.strictEqual((result.error?.error as { type?: string } | undefined)?.type, "chunk_timeout")
      const record = yield* gateway.simulator.awaitClosed("stall", { timeout: "2 seconds" })
      assert.strictEqual(record.end, "client_closed")
    }))

  it.live("keep-alive comments reach the client during a silent start and the stream completes", () =>
    Effect.gen(function*() {
      const gateway = yield* start({
        keepaliveInterval: Duration.millis(100),
        profiles: { thinker: profileEntry({ firstChunk: "2 seconds", chunk: "200 millis" }) }
      })
      const response = yield* Effect.promise(() =>
        fetch(`${gateway.url}/v1/chat/completions`, {
          method: "POST",
          headers: { "content-type": "application/json", "x-streamguard-profile": "thinker" },
          body: JSON.stringify({
            model: "sim:think-600ms?chunks=3&gap=5ms",
            stream: true,
            messages: [{ role: "user", content: "hi" }]
          })
        })
      )
      assert.strictEqual(response.status, 200)
      const body = yield* readAll(response)
      assert.isAtLeast(body.split(": keep-alive").length - 1, 3)
      assert.include(body, "data: [DONE]")
      assert.notInclude(body, "\"error\"")
    }))

  it.live("a silent start longer than firstChunk fails with a first_chunk_timeout error event", () =>
    Effect.gen(function*() {
      const gateway = yield* start({
        keepaliveInterval: Duration.millis(100),
        profiles: { thinker: profileEntry({ firstChunk: "400 millis" }) }
      })
      const response = yield* Effect.promise(() =>
        fetch(`${gateway.url}/v1/chat/completions`, {
          method: "POST",
          headers: { "content-type": "application/json", "x-streamguard-profile": "thinker" },
          body: JSON.stringify({
            model: "sim:think-5s?chunks=3",
            stream: true,
            messages: [{ role: "user", content: "hi" }]
          })
        })
      )
      assert.strictEqual(response.status, 200)
      const body = yield* readAll(response)
      assert.include(body, ": keep-alive")
      const errorLine = body.split("\n").find((line) => line.startsWith("data: {\"error\""))
      assert.isDefined(errorLine)
      const error = JSON.parse(errorLine!.slice("data: ".length)).error
      assert.strictEqual(error.type, "first_chunk_timeout")
      assert.strictEqual(error.phase, "firstChunk")
      assert.strictEqual(error.chunks, 0)
    }))

  it.live("an upstream that sends no headers in time is a 504 with a JSON error body", () =>
    Effect.gen(function*() {
      const gateway = yield* start({ profiles: { fast: profileEntry({ headers: "200 millis" }) } })
      const response = yield* Effect.promise(() =>
        fetch(`${gateway.url}/v1/chat/completions`, {
          method: "POST",
          headers: { "content-type": "application/json", "x-streamguard-profile": "fast" },
          body: JSON.stringify({
            model: "sim:slow-headers-5s",
            stream: true,
            messages: [{ role: "user", content: "hi" }]
          })
        })
      )
      assert.strictEqual(response.status, 504)
      const body = yield* Effect.promise(() => response.json() as Promise<{ error: { type: string } }>)
      assert.strictEqual(body.error.type, "headers_timeout")
    }))

  it.live("an upstream 429 is passed through with retry-after", () =>
    Effect.gen(function*() {
      const gateway = yield* start()
      const response = yield* Effect.promise(() =>
        fetch(`${gateway.url}/v1/messages`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({
            model: "sim:429",
            max_tokens: 10,
            stream: true,
            messages: [{ role: "user", content: "hi" }]
          })
        })
      )
      assert.strictEqual(response.status, 429)
      assert.isNotNull(response.headers.get("retry-after"))
      const body = yield* Effect.promise(() => response.json() as Promise<{ type: string; error: { type: string } }>)
      assert.strictEqual(body.type, "error")
      assert.strictEqual(body.error.type, "upstream_http_error")
    }))

  // How soon the upstream closes is proven under TestClock (DisconnectPolicy's `cancel` closes the
  // upstream's scope at once); on real sockets the bounds are loose: the close comes within a
  // second of the gateway seeing the client leave (it takes milliseconds), long before the 200
  // chunks (4 s) a gateway that did not abort the upstream would let it write.
  it.live("the SDK aborting mid-stream closes the upstream at once", () =>
    Effect.gen(function*() {
      const gateway = yield* start()
      const controller = new AbortController()
      const abortedAt = yield* Effect.promise(async () => {
        const stream = await openai(gateway.url, { "x-sim-request-id": "abort" }).chat.completions.create(
          { model: "sim:steady?chunks=200&gap=20ms", messages: [{ role: "user", content: "hi" }], stream: true },
          { signal: controller.signal }
        )
        let seen = 0
        let at = 0
        try {
          for await (const _chunk of stream) {
            if (++seen === 3) {
              at = Date.now()
              controller.abort()
            }
          }
        } catch {
          // the abort
        }
        return at
      })
      const record = yield* gateway.simulator.awaitClosed("abort", { timeout: "2 seconds" })
      assert.strictEqual(record.end, "client_closed")
      const left = (yield* gateway.logs).find((log) => String(log["_message"]) === "client disconnected")
      assert.isDefined(left)
      assert.isAtMost(record.closedAt! - (left!["_date"] as number), 1000)
      assert.isAtLeast(record.closedAt!, abortedAt)
      const finished = yield* gateway.simulator.awaitFinished("abort", { timeout: "2 seconds" })
      assert.isBelow(finished.chunks, 200)
      const line = yield* streamEnd(gateway)
      assert.strictEqual(line["disconnect"], "cancel")
      assert.strictEqual(line["outcome"], "interrupted")
      assert.isBelow(record.chunks, 200)
    }))
})

describe("the drain disconnect policy", () => {
  it.live("with on-disconnect drain the upstream is read for drainWindow after the client left, then closed", () =>
    Effect.gen(function*() {
      const gateway = yield* start({ drainWindow: Duration.millis(400) })
      const controller = new AbortController()
      const abortedAt = yield* Effect.promise(async () => {
        const response = await fetch(`${gateway.url}/v1/chat/completions`, {
          method: "POST",
          signal: controller.signal,
          headers: {
            "content-type": "application/json",
            "x-streamguard-on-disconnect": "drain",
            "x-sim-request-id": "drain"
          },
          body: JSON.stringify({
            model: "sim:steady?chunks=200&gap=20ms",
            stream: true,
            messages: [{ role: "user", content: "hi" }]
          })
        })
        const reader = response.body!.getReader()
        await reader.read()
        const at = Date.now()
        controller.abort()
        return at
      })
      // The window's exact length is proven under TestClock (DisconnectPolicy.release); here, that
      // the upstream outlived the client by about the window, and was read meanwhile.
      const record = yield* gateway.simulator.awaitClosed("drain", { timeout: "5 seconds" })
      assert.strictEqual(record.end, "client_closed")
      assert.isAtLeast(record.closedAt! - abortedAt, 350)
      assert.isAtMost(record.closedAt! - abortedAt, 3000)
      const line = yield* streamEnd(gateway)
      assert.strictEqual(line["disconnect"], "drain")
      assert.isAbove(line["chunks"] as number, 3)
    }))
})
