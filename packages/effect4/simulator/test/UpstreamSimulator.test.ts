import Anthropic from "@anthropic-ai/sdk"
import { assert, describe, it } from "@effect/vitest"
import { Client } from "@modelcontextprotocol/sdk/client/index.js"
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js"
import type { StreamEvent } from "@streamguard/core"
import { Dialects } from "@streamguard/protocols"
import { Scenario, ScenarioSpec, Simulation, Step, UpstreamSimulator } from "@streamguard/simulator"
import { Effect, Option, Stream } from "effect"
import { TestClock } from "effect/testing"
import OpenAI from "openai"
import type { BodyDialect } from "./support/http.js"
import { bodyFor, bytesOf, dialects, json, paths, post, readSome, readUntil } from "./support/http.js"

const scenario = Scenario.steady({ chunks: 12, gap: "2ms" })
const model = "sim:steady?chunks=12&gap=2ms"

describe("UpstreamSimulator", () => {
  it.live("listens on a random loopback port and reports it", () =>
    Effect.gen(function*() {
      const sim = yield* UpstreamSimulator.make()
      assert.isAbove(sim.port, 0)
      assert.strictEqual(sim.url, `http://127.0.0.1:${sim.port}`)
    }))

  it.live("every endpoint streams steady with the dialect's content-type, decoded to content then Done", () =>
    Effect.gen(function*() {
      const sim = yield* UpstreamSimulator.make()
      for (const dialect of Object.keys(paths) as ReadonlyArray<BodyDialect>) {
        const response = yield* post(`${sim.url}${paths[dialect]}`, bodyFor(dialect, model))
        assert.strictEqual(response.status, 200, dialect)
        assert.strictEqual(response.headers.get("content-type"), dialects[dialect].contentType, dialect)
        const events: ReadonlyArray<StreamEvent.StreamEvent<any>> = yield* Stream.runCollect(
          dialects[dialect].decode(bytesOf(response), { requestId: 1 })
        )
        assert.strictEqual(events.filter((event) => event._tag === "Chunk").length, 12, dialect)
        assert.strictEqual(events.at(-1)?._tag, "Done", dialect)
      }
      const records = yield* sim.requests
      assert.deepStrictEqual(records.map((record) => record.end), ["ended", "ended", "ended", "ended", "ended"])
      assert.isTrue(records.every((record) => record.chunks === 12 && record.bytes > 0))
    }))

  it.live("the official openai package streams sim:steady to the end with the right text and usage", () =>
    Effect.gen(function*() {
      const sim = yield* UpstreamSimulator.make()
      const client = new OpenAI({ baseURL: `${sim.url}/v1`, apiKey: "test", maxRetries: 0 })
      const result = yield* Effect.promise(async () => {
        const stream = await client.chat.completions.create({
          model,
          messages: [{ role: "user", content: "hi" }],
          stream: true,
          stream_options: { include_usage: true }
        })
        let text = ""
        let completionTokens = 0
        for await (const chunk of stream) {
          text += chunk.choices[0]?.delta?.content ?? ""
          completionTokens = chunk.usage?.completion_tokens ?? completionTokens
        }
        return { text, completionTokens }
      })
      assert.strictEqual(result.text, Simulation.text(scenario))
      assert.strictEqual(result.completionTokens, 12)
    }))

  it.live("the openai package reads the Responses stream and a non-streaming completion", () =>
    Effect.gen(function*() {
      const sim = yield* UpstreamSimulator.make()
      const client = new OpenAI({ baseURL: `${sim.url}/v1`, apiKey: "test", maxRetries: 0 })
      const [responsesText, completion] = yield* Effect.promise(async () => {
        const stream = await client.responses.create({ model, input: "hi", stream: true })
        let text = ""
        for await (const event of stream) {
          if (event.type === "response.output_text.delta") text += event.delta
        }
        const completion = await client.chat.completions.create({ model, messages: [{ role: "user", content: "hi" }] })
        return [text, completion.choices[0]?.message.content] as const
      })
      assert.strictEqual(responsesText, Simulation.text(scenario))
      assert.strictEqual(completion, Simulation.text(scenario))
    }))

  it.live("@anthropic-ai/sdk streams sim:steady on /v1/messages to the final message", () =>
    Effect.gen(function*() {
      const sim = yield* UpstreamSimulator.make()
      const client = new Anthropic({ baseURL: sim.url, apiKey: "test", maxRetries: 0 })
      const message = yield* Effect.promise(() =>
        client.messages.stream({ model, max_tokens: 64, messages: [{ role: "user", content: "hi" }] }).finalMessage()
      )
      const text = message.content.map((block) => block.type === "text" ? block.text : "").join("")
      assert.strictEqual(text, Simulation.text(scenario))
      assert.strictEqual(message.stop_reason, "end_turn")
      assert.strictEqual(message.usage.output_tokens, 12)
    }))

  it.live("the official SDKs read the non-streaming Messages and Responses bodies: text and usage", () =>
    Effect.gen(function*() {
      const sim = yield* UpstreamSimulator.make()
      const openai = new OpenAI({ baseURL: `${sim.url}/v1`, apiKey: "test", maxRetries: 0 })
      const anthropic = new Anthropic({ baseURL: sim.url, apiKey: "test", maxRetries: 0 })
      const [response, message] = yield* Effect.promise(() =>
        Promise.all([
          openai.responses.create({ model, input: "hi" }),
          anthropic.messages.create({ model, max_tokens: 64, messages: [{ role: "user", content: "hi" }] })
        ])
      )
      assert.strictEqual(response.output_text, Simulation.text(scenario))
      assert.strictEqual(response.usage?.output_tokens, 12)
      assert.strictEqual(
        message.content.map((block) => block.type === "text" ? block.text : "").join(""),
        Simulation.text(scenario)
      )
      assert.strictEqual(message.usage.output_tokens, 12)
    }))

  it.live("a fetch aborted mid-stream is recorded as closed, and generation stops within 50 ms with no write after", () =>
    Effect.gen(function*() {
      const sim = yield* UpstreamSimulator.make()
      const controller = new AbortController()
      const response = yield* post(
        `${sim.url}/v1/chat/completions`,
        bodyFor("openaiChat", "sim:steady?chunks=100000&gap=1ms"),
        {
          headers: { "x-sim-request-id": "aborted" },
          signal: controller.signal
        }
      )
      yield* readSome(response, 3)
      controller.abort()
      const closed = yield* sim.awaitClosed("aborted")
      assert.isNotNull(closed.closedAt)
      const record = yield* sim.awaitFinished("aborted")
      assert.strictEqual(record.end, "client_closed")
      assert.isAbove(record.chunks, 0)
      assert.isBelow(record.chunks, 100_000)
      assert.strictEqual(record.writesAfterClose, 0)
      assert.isTrue(record.stoppedAfterClose)
      assert.isAtMost(record.stopLatencyMillis!, 50)
    }))

  it.live("an openai SDK stream aborted mid-stream is recorded as closed with no write after the close", () =>
    Effect.gen(function*() {
      const sim = yield* UpstreamSimulator.make()
      const client = new OpenAI({ baseURL: `${sim.url}/v1`, apiKey: "test", maxRetries: 0 })
      const seen = yield* Effect.promise(async () => {
        const stream = await client.chat.completions.create(
          { model: "sim:steady?chunks=100000&gap=1ms", messages: [{ role: "user", content: "hi" }], stream: true },
          { headers: { "x-sim-request-id": "sdk-abort" } }
        )
        let count = 0
        for await (const _ of stream) {
          if (++count === 5) {
            stream.controller.abort()
            break
          }
        }
        return count
      })
      assert.strictEqual(seen, 5)
      const record = yield* sim.awaitFinished("sdk-abort")
      assert.strictEqual(record.end, "client_closed")
      assert.strictEqual(record.writesAfterClose, 0)
      assert.isAtMost(record.stopLatencyMillis!, 50)
    }))

  it.live("a client giving up on a stalled stream is recorded as closed: the stall stops with it", () =>
    Effect.gen(function*() {
      const sim = yield* UpstreamSimulator.make()
      const controller = new AbortController()
      const response = yield* post(`${sim.url}/v1/messages`, bodyFor("anthropic", "sim:stall-after-2?gap=1ms"), {
        headers: { "x-sim-request-id": "stalled" },
        signal: controller.signal
      })
      // Both chunks arrive, then silence: the stall itself.
      const text = yield* readUntil(response, (text) => text.split("event: content_block_delta").length === 3)
      assert.notInclude(text, "message_stop")
      controller.abort()
      const record = yield* sim.awaitFinished("stalled")
      assert.strictEqual(record.end, "client_closed")
      assert.strictEqual(record.chunks, 2)
      assert.isTrue(record.stoppedAfterClose)
      assert.isAtMost(record.stopLatencyMillis!, 50)
    }))

  it.live("slow-headers: the request is read, no headers come, and the client's give-up is recorded", () =>
    Effect.gen(function*() {
      const sim = yield* UpstreamSimulator.make()
      const exit = yield* post(`${sim.url}/v1/chat/completions`, bodyFor("openaiChat", "sim:slow-headers"), {
        headers: { "x-sim-request-id": "no-headers" },
        signal: AbortSignal.timeout(100)
      }).pipe(Effect.exit)
      assert.strictEqual(exit._tag, "Failure")
      const record = yield* sim.awaitFinished("no-headers")
      assert.strictEqual(record.end, "client_closed")
      assert.isNull(record.headersAt)
      assert.strictEqual(record.writes, 0)
      assert.isAtMost(record.stopLatencyMillis!, 50)
    }))

  it.live("slow-headers with a delay answers late, then streams", () =>
    Effect.gen(function*() {
      const sim = yield* UpstreamSimulator.make()
      const response = yield* post(
        `${sim.url}/v1/chat/completions`,
        bodyFor("openaiChat", "sim:slow-headers-50ms?gap=1ms"),
        {
          headers: { "x-sim-request-id": "late" }
        }
      )
      yield* Stream.runDrain(bytesOf(response))
      const record = yield* sim.awaitFinished("late")
      assert.isAtLeast(record.headersAt! - record.startedAt, 45)
      assert.strictEqual(record.end, "ended")
    }))

  it.live("sim:429 answers 429 with retry-after and the provider's error body", () =>
    Effect.gen(function*() {
      const sim = yield* UpstreamSimulator.make()
      const openai = yield* post(`${sim.url}/v1/chat/completions`, bodyFor("openaiChat", "sim:429?retryAfter=7"))
      assert.strictEqual(openai.status, 429)
      assert.strictEqual(openai.headers.get("retry-after"), "7")
      const openaiBody = yield* json(openai)
      assert.strictEqual(openaiBody.error.code, "rate_limit_exceeded")
      const anthropic = yield* post(`${sim.url}/v1/messages`, bodyFor("anthropic", "sim:429"))
      assert.strictEqual(anthropic.headers.get("retry-after"), "1")
      const anthropicBody = yield* json(anthropic)
      assert.strictEqual(anthropicBody.error.type, "rate_limit_error")
      const failing = yield* post(`${sim.url}/api/chat`, bodyFor("ollama", "sim:500"))
      assert.strictEqual(failing.status, 500)
      assert.isNull(failing.headers.get("retry-after"))
    }))

  it.live("an HttpError in the x-sim-scenario header answers after its delay, with its headers and body", () =>
    Effect.gen(function*() {
      const sim = yield* UpstreamSimulator.make()
      const scenario = Scenario.httpError({
        status: 503,
        retryAfter: 2,
        delay: "30 millis",
        headers: { "x-why": "maintenance" },
        body: "{\"down\":true}"
      })
      const response = yield* post(`${sim.url}/v1/chat/completions`, bodyFor("openaiChat", "gpt-4o"), {
        headers: { "x-sim-request-id": "late-error", "x-sim-scenario": ScenarioSpec.toHeader(scenario) }
      })
      assert.strictEqual(response.status, 503)
      assert.strictEqual(response.headers.get("retry-after"), "2")
      assert.strictEqual(response.headers.get("x-why"), "maintenance")
      assert.deepStrictEqual(yield* json(response), { down: true })
      const record = yield* sim.awaitFinished("late-error")
      assert.isAtLeast(record.headersAt! - record.startedAt, 25)
    }))

  it.live("reset-mid destroys the socket after the chunks: the client's read fails, the record says reset", () =>
    Effect.gen(function*() {
      const sim = yield* UpstreamSimulator.make()
      const response = yield* post(
        `${sim.url}/v1/chat/completions`,
        bodyFor("openaiChat", "sim:reset-mid?after=2&gap=1ms"),
        {
          headers: { "x-sim-request-id": "reset" }
        }
      )
      const read = yield* Stream.runDrain(bytesOf(response)).pipe(Effect.exit)
      assert.strictEqual(read._tag, "Failure")
      const record = yield* sim.awaitFinished("reset")
      assert.strictEqual(record.end, "reset")
      assert.strictEqual(record.chunks, 2)
    }))

  it.live("a script in the x-sim-scenario header is played exactly", () =>
    Effect.gen(function*() {
      const sim = yield* UpstreamSimulator.make()
      const script = Scenario.script([
        Step.chunk("Hel"),
        Step.keepalive,
        Step.wait("5 millis"),
        Step.chunk("lo"),
        Step.done
      ])
      const response = yield* post(`${sim.url}/v1/chat/completions`, bodyFor("openaiChat", "gpt-4o"), {
        headers: { "x-sim-scenario": ScenarioSpec.toHeader(script) }
      })
      const events = yield* Stream.runCollect(Dialects.openaiChat.decode(bytesOf(response)))
      const text = events.map((event) => event._tag === "Chunk" ? Dialects.openaiChat.text(event.value) ?? "" : "")
      assert.strictEqual(text.join(""), "Hello")
      assert.strictEqual(events.filter(Dialects.openaiChat.isPing).length, 1)
      assert.strictEqual(events.at(-1)?._tag, "Done")
    }))

  it.live("a bad scenario is a 400 in the provider's error shape, naming the problem", () =>
    Effect.gen(function*() {
      const sim = yield* UpstreamSimulator.make()
      const response = yield* post(`${sim.url}/v1/messages`, bodyFor("anthropic", "sim:stedy"))
      assert.strictEqual(response.status, 400)
      const body = yield* json(response)
      assert.strictEqual(body.type, "error")
      assert.include(body.error.message, "unknown scenario")
      const badBody = yield* post(`${sim.url}/v1/chat/completions`, { model: 3, stream: true, messages: [] })
      assert.strictEqual(badBody.status, 400)
      assert.strictEqual(
        (yield* json(badBody)).error.message,
        "unexpected request body: model: Expected string, actual 3"
      )
      const misspelt = yield* post(`${sim.url}/v1/chat/completions`, bodyFor("openaiChat", "sim:steady?chunkz=3"))
      assert.strictEqual(misspelt.status, 400)
      const { error } = yield* json(misspelt)
      assert.strictEqual(
        error.message,
        "bad simulator scenario \"sim:steady?chunkz=3\": chunkz: is unexpected, expected: " +
          "\"_tag\" | \"chunks\" | \"gap\" | \"jitter\" | \"seed\" | \"text\" | \"keepalive\""
      )
    }))

  it.live("GET /_sim/requests shows the records as JSON, with the derived close fields", () =>
    Effect.gen(function*() {
      const sim = yield* UpstreamSimulator.make()
      const response = yield* post(`${sim.url}/api/chat`, bodyFor("ollama", model), {
        headers: { "x-sim-request-id": "listed" }
      })
      yield* Stream.runDrain(bytesOf(response))
      yield* sim.awaitFinished("listed")
      const records = yield* json(yield* Effect.promise(() => fetch(`${sim.url}/_sim/requests`)))
      assert.strictEqual(records.length, 1)
      assert.strictEqual(records[0].id, "listed")
      assert.strictEqual(records[0].dialect, "ollama")
      assert.strictEqual(records[0].scenarioName, "steady")
      assert.strictEqual(records[0].chunks, 12)
      assert.strictEqual(records[0].stoppedAfterClose, false)
    }))

  it.live("the MCP SDK client connects, gets progress per token and the tool result", () =>
    Effect.gen(function*() {
      const sim = yield* UpstreamSimulator.make()
      const client = new Client({ name: "test", version: "0.0.0" })
      yield* Effect.acquireRelease(
        Effect.promise(() => client.connect(new StreamableHTTPClientTransport(new URL(`${sim.url}/mcp`)))),
        () => Effect.promise(() => client.close())
      )
      const progress: Array<string> = []
      const result = yield* Effect.promise(() =>
        client.callTool({ name: "simulate", arguments: { scenario: model } }, undefined, {
          onprogress: (event) => progress.push(event.message ?? "")
        })
      )
      assert.strictEqual(progress.join(""), Simulation.text(scenario))
      assert.deepStrictEqual(result.content, [{ type: "text", text: Simulation.text(scenario) }])
    }))

  it.live("the layer provides the service and stops the server with its scope", () =>
    Effect.gen(function*() {
      const url = yield* Effect.gen(function*() {
        const sim = yield* UpstreamSimulator.UpstreamSimulator
        const response = yield* post(`${sim.url}/v1/chat/completions`, { model, messages: [] })
        const body = yield* json(response)
        assert.strictEqual(body.choices[0].message.content, Simulation.text(scenario))
        const [record] = yield* sim.requests
        assert.strictEqual(record?.stream, false)
        assert.strictEqual(record?.chunks, 12)
        return sim.url
      }).pipe(Effect.provide(UpstreamSimulator.layer()))
      const after = yield* Effect.tryPromise(() => fetch(`${url}/_sim/requests`)).pipe(Effect.exit)
      assert.strictEqual(after._tag, "Failure")
    }))

  it.live("awaitClosed fails with SimulatorTimeout when the connection never closes early", () =>
    Effect.gen(function*() {
      const sim = yield* UpstreamSimulator.make()
      const error = yield* sim.awaitClosed("nobody", { timeout: "20 millis" }).pipe(Effect.flip)
      assert.strictEqual(error._tag, "SimulatorTimeout")
    }))

  it.effect("started under TestClock, its waits pass when the test moves the clock, and its records read it", () =>
    Effect.gen(function*() {
      const sim = yield* UpstreamSimulator.make()
      const script = [Step.chunk("a"), Step.wait("10 minutes"), Step.chunk("b"), Step.done]
      const response = yield* post(`${sim.url}${paths.openaiChat}`, bodyFor("openaiChat", "any-model"), {
        headers: { "x-sim-scenario": JSON.stringify(script), "x-sim-request-id": "timed" }
      })
      const reader = response.body!.getReader()
      // The first piece is out, so the play is asleep on the clock.
      yield* Effect.promise(() => reader.read())
      const writes = Option.getOrThrow(yield* sim.request("timed")).writes
      yield* TestClock.adjust("9 minutes")
      assert.strictEqual(Option.getOrThrow(yield* sim.request("timed")).writes, writes)
      yield* TestClock.adjust("1 minute")
      const record = yield* sim.awaitFinished("timed")
      assert.strictEqual(record.end, "ended")
      assert.strictEqual(record.lastWriteAt! - record.startedAt, 600_000)
      yield* Effect.promise(() => reader.cancel())
    }))
})
