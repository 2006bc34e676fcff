import { assert, describe, it } from "@effect/vitest"
import { LlmClient } from "@streamguard/client"
import { Profiles } from "@streamguard/core"
import type { Dialect } from "@streamguard/protocols"
import { Dialects } from "@streamguard/protocols"
import { Transcript } from "@streamguard/simulator"
import { TestUpstream, TimeTravel } from "@streamguard/testing"
import { Effect, Layer, Option, Stream } from "effect"
import { HttpClientRequest } from "effect/http"
import * as fs from "node:fs"
import * as path from "node:path"
import { fileURLToPath } from "node:url"

/** The recorded provider streams in the repository's fixtures/transcripts. */
const transcriptsDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../../../fixtures/transcripts")

const dialects: Record<string, Dialect.Dialect<any>> = {
  "openai-chat": Dialects.openaiChat,
  "openai-responses": Dialects.openaiResponses,
  anthropic: Dialects.anthropic,
  ollama: Dialects.ollama,
  gemini: Dialects.gemini,
  mcp: Dialects.mcp
}

const transcripts = Object.keys(dialects).flatMap((folder) =>
  fs.readdirSync(path.join(transcriptsDir, folder))
    .filter((file) => file.endsWith(".txt"))
    .map((file) => `${folder}/${file}`)
)

interface Expect {
  readonly outcome: "done" | "error" | "truncated"
  readonly contentChunks: number
  readonly errorType?: string
  /** The request the transcript answered, when it was recorded with it (the MCP SDK recordings). */
  readonly request?: { readonly headers: Record<string, string>; readonly body: unknown }
}

const expected = (name: string): Expect => {
  const json = JSON.parse(fs.readFileSync(path.join(transcriptsDir, name.replace(/\.txt$/, ".expect.json")), "utf8"))
  return {
    outcome: json.outcome,
    contentChunks: json.contentChunks,
    ...(json.errorType === undefined ? {} : { errorType: json.errorType }),
    ...(json.request === undefined ? {} : { request: json.request })
  }
}

/** The replayed request: the recorded one's headers and body where the transcript has them. */
const requestOf = (expect: Expect) => {
  const post = HttpClientRequest.post("https://upstream.test/replay")
  return expect.request === undefined
    ? post
    : post.pipe(
      HttpClientRequest.setHeaders(expect.request.headers),
      HttpClientRequest.bodyJsonUnsafe(expect.request.body)
    )
}

const encoder = new TextEncoder()

/**
 * The clock-free oracle: how many of the transcript's events the dialect must read before its
 * outcome is known (the event carrying done or the error; all of them for a truncated answer or
 * Gemini's implicit done at the end). The upstream must have written exactly these.
 */
const eventsUntilOutcome = (dialect: Dialect.Dialect<any>, events: ReadonlyArray<string>) =>
  Effect.gen(function*() {
    let read = 0
    const input = Stream.fromIterable(events).pipe(
      Stream.map((event) => encoder.encode(event)),
      Stream.tap(() => Effect.sync(() => read++))
    )
    const terminal = yield* dialect.decode(input).pipe(
      Stream.filter((event) => event._tag === "Done" || event._tag === "ErrorSignal"),
      Stream.runHead
    )
    return Option.isSome(terminal) ? read : events.length
  })

describe("TestUpstream: replaying every recorded transcript through LlmClient", () => {
  it("finds all 27 transcripts", () => {
    assert.strictEqual(transcripts.length, 27)
  })

  for (const name of transcripts) {
    const dialect = dialects[name.split("/")[0]!]!
    const bytes = fs.readFileSync(path.join(transcriptsDir, name))
    // One second to the first byte, then the rest at once: each TestClock wake-up costs real
    // milliseconds (it waits for every fiber to settle), and the outcome does not depend on pace.
    const layer = Layer.merge(TestUpstream.layer(Transcript.replay(bytes, { gaps: ["1 second"] })), Profiles.research)
    const expect = expected(name)
    const call = LlmClient.streamEvents(requestOf(expect), { dialect }).pipe(Stream.runCollect)

    it.effect(`${name}: ${expect.outcome}${expect.errorType === undefined ? "" : ` (${expect.errorType})`}, ${expect.contentChunks} chunks, nothing read past it`, () =>
      Effect.gen(function*() {
        const events = Transcript.events(bytes)
        assert.strictEqual(events.join(""), bytes.toString("utf8"), "the events are the bytes, cut")
        const read = yield* eventsUntilOutcome(dialect, events)
        const at = "1 second"
        switch (expect.outcome) {
          case "done": {
            const out = yield* TimeTravel.expectSuccess(call, { at })
            const chunks = out.filter((event) => event._tag === "Chunk")
            assert.strictEqual(chunks.length, expect.contentChunks)
            assert.strictEqual(out.at(-1)?._tag, "Done")
            break
          }
          case "error": {
            const error = yield* TimeTravel.expectFailure(call, "UpstreamErrorSignal", { at })
            assert.strictEqual(error.errorType, expect.errorType)
            assert.strictEqual(error.chunks, expect.contentChunks)
            break
          }
          case "truncated": {
            const error = yield* TimeTravel.expectFailure(call, "UnexpectedEnd", { at })
            assert.strictEqual(error.chunks, expect.contentChunks)
            break
          }
        }
        // The upstream wrote exactly the events up to the outcome: nothing was read past it.
        const [exchange] = yield* TestUpstream.exchanges
        assert.strictEqual(exchange?.record.writes, read)
      }).pipe(Effect.provide(layer)))
  }

  const textWithPing = Transcript.events(fs.readFileSync(path.join(transcriptsDir, "anthropic/text-with-ping.txt")))
  const stop = textWithPing.findIndex((event) => event.includes("message_stop"))

  it.effect("one event a second: the recorded answer completes when message_stop arrives, not before", () =>
    Effect.gen(function*() {
      const call = LlmClient.stream(HttpClientRequest.post("https://upstream.test/v1/messages"), {
        dialect: Dialects.anthropic
      }).pipe(Stream.runCollect)
      const out = yield* TimeTravel.expectSuccess(call, { at: (stop + 1) * 1000 })
      assert.strictEqual(out.length, 4)
    }).pipe(Effect.provide(Layer.merge(
      TestUpstream.layer(Transcript.replay(textWithPing.join(""), { gap: "1 second" })),
      Profiles.research
    ))))

  it.effect("a transcript cut before message_stop ends in UnexpectedEnd when its bytes end", () =>
    Effect.gen(function*() {
      const error = yield* TimeTravel.expectFailure(
        LlmClient.stream(HttpClientRequest.post("https://upstream.test/v1/messages"), { dialect: Dialects.anthropic })
          .pipe(Stream.runDrain),
        "UnexpectedEnd",
        { at: stop * 1000 }
      )
      assert.strictEqual(error.chunks, 4)
    }).pipe(Effect.provide(Layer.merge(
      // The connection dropped before the end: message_stop and what follows are missing.
      TestUpstream.layer(Transcript.replay(textWithPing.slice(0, stop).join(""), { gap: "1 second" })),
      Profiles.research
    ))))

  it.effect("gaps per event: a replay whose fourth gap is 31 s dies with ChunkTimeout 30 s after the third event", () =>
    Effect.gen(function*() {
      const error = yield* TimeTravel.expectTimeout(
        LlmClient.stream(HttpClientRequest.post("https://upstream.test/v1/messages"), { dialect: Dialects.anthropic })
          .pipe(Stream.runDrain),
        "ChunkTimeout",
        { at: "33 seconds" }
      )
      assert.strictEqual(error.sinceLastEventMillis, 30_000)
      const [exchange] = yield* TestUpstream.exchanges
      assert.strictEqual(exchange?.record.end, "client_closed")
      assert.strictEqual(exchange?.record.writes, 3)
    }).pipe(Effect.provide(Layer.merge(
      TestUpstream.layer(Transcript.replay(textWithPing.join(""), {
        gaps: ["1 second", "1 second", "1 second", "31 seconds"],
        gap: "1 second"
      })),
      Profiles.research
    ))))
})
