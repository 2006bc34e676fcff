import { assert, describe, it } from "@effect/vitest"
import { GuardError, StreamEvent } from "@streamguard/core"
import { Dialect, Dialects, ProtocolError } from "@streamguard/protocols"
import { Effect, Result, Stream } from "effect"
import { decodeSync, encoder } from "./fixtures/wire.js"

const kib = 1024

/** An endless stream of `piece`, counting how many pieces the decoder pulled. */
const endless = (piece: Uint8Array) => {
  const pulled = { count: 0 }
  const stream = Stream.fromEffectRepeat(Effect.sync(() => {
    pulled.count++
    return piece
  })).pipe(Stream.rechunk(1))
  return { stream, pulled }
}

const failure = <A>(dialect: Dialect.Dialect<A>, text: string, options?: Dialect.DecodeOptions) => {
  const result = decodeSync(dialect, [encoder.encode(text)], options)
  if (Result.isSuccess(result)) throw new Error("expected a failure")
  return result.failure
}

describe("bad bytes", () => {
  it.effect("an endless SSE line fails with EventTooLarge once past the limit, never holding more", () =>
    Effect.gen(function*() {
      const { pulled, stream } = endless(encoder.encode("x".repeat(kib)))
      const error = yield* Stream.runDrain(
        Dialects.openaiChat.decode(Stream.concat(Stream.make(encoder.encode("data: ")), stream), {
          maxEventBytes: 64 * kib
        })
      ).pipe(Effect.flip)
      assert.instanceOf(error, ProtocolError.EventTooLarge)
      if (error instanceof ProtocolError.EventTooLarge) {
        assert.strictEqual(error.limit, 64 * kib)
        assert.strictEqual(error.dialect, "openaiChat")
        assert.strictEqual(error.outcome, "protocol_error")
      }
      // The 64th piece crosses the limit: it fails there, without buffering the piece.
      assert.strictEqual(pulled.count, 64)
    }))

  it.effect("many small data lines in one SSE event count toward the limit too", () =>
    Effect.gen(function*() {
      const { pulled, stream } = endless(encoder.encode("data: " + "y".repeat(250) + "\n"))
      const error = yield* Stream.runDrain(Dialects.anthropic.decode(stream, { maxEventBytes: 10 * kib })).pipe(
        Effect.flip
      )
      assert.instanceOf(error, ProtocolError.EventTooLarge)
      assert.isAtMost(pulled.count, 10 * kib / 257 + 1)
    }))

  it("unknown fields and retry lines count nothing toward the limit either; data lines still do", () => {
    const block = "retry: 1000\n" + "x-unknown: 0123456789\n".repeat(1000) + "data: 1\n\n"
    const ok = decodeSync(Dialects.sse(), [encoder.encode(block)], { maxEventBytes: 64 })
    assert.isTrue(Result.isSuccess(ok) && ok.success.length === 1)
    const error = failure(Dialects.sse(), "data: 1\n".repeat(9) + "\n", { maxEventBytes: 64 })
    assert.instanceOf(error, ProtocolError.EventTooLarge)
  })

  it("one comment line longer than the limit fails with EventTooLarge, whole or split", () => {
    const line = encoder.encode(": " + "c".repeat(100) + "\n")
    for (const pieces of [[line], [line.subarray(0, 50), line.subarray(50)], [line.subarray(0, 80)]]) {
      const result = decodeSync(Dialects.mcp, pieces, { maxEventBytes: 64 })
      assert.isTrue(Result.isFailure(result) && result.failure instanceof ProtocolError.EventTooLarge)
    }
  })

  it.effect("an endless comment line fails with EventTooLarge once past the limit, never holding more", () =>
    Effect.gen(function*() {
      const { pulled, stream } = endless(encoder.encode("k".repeat(kib)))
      const error = yield* Stream.runDrain(
        Dialects.mcp.decode(Stream.concat(Stream.make(encoder.encode(":")), stream), { maxEventBytes: 64 * kib })
      ).pipe(Effect.flip)
      assert.instanceOf(error, ProtocolError.EventTooLarge)
      assert.strictEqual(pulled.count, 64)
    }))

  it.effect("an endless NDJSON line fails with EventTooLarge at the default 1 MiB limit", () =>
    Effect.gen(function*() {
      const { pulled, stream } = endless(encoder.encode("z".repeat(16 * kib)))
      const error = yield* Stream.runDrain(Dialects.ollama.decode(stream)).pipe(Effect.flip)
      assert.instanceOf(error, ProtocolError.EventTooLarge)
      assert.strictEqual((error as ProtocolError.EventTooLarge).limit, Dialect.defaultMaxEventBytes)
      assert.strictEqual(pulled.count, 65)
    }))

  it("an event exactly at the limit passes", () => {
    const event = "data: [DONE]\n\n"
    const result = decodeSync(Dialects.openaiChat, [encoder.encode(event)], { maxEventBytes: event.length })
    assert.isTrue(Result.isSuccess(result))
  })

  it("invalid JSON fails with a ProtocolError naming the dialect, with at most 200 bytes of excerpt", () => {
    const bad = "{\"choices\": [" + "é😀".repeat(500)
    const error = failure(Dialects.openaiChat, `data: ${bad}\n\n`)
    assert.instanceOf(error, ProtocolError.ProtocolError)
    if (error instanceof ProtocolError.ProtocolError) {
      assert.strictEqual(error.dialect, "openaiChat")
      assert.include(error.reason, "invalid JSON")
      const excerptBytes = encoder.encode(error.excerpt).length
      assert.isAtMost(excerptBytes, 200)
      assert.isAbove(excerptBytes, 190)
      assert.isTrue(bad.startsWith(error.excerpt), "the excerpt is the start of the frame, cut on a character")
      assert.strictEqual(error.outcome, "protocol_error")
    }
  })

  it("invalid JSON in an NDJSON line fails with ProtocolError too", () => {
    const error = failure(Dialects.ollama, "{\"done\": tru\n")
    assert.instanceOf(error, ProtocolError.ProtocolError)
    assert.strictEqual((error as ProtocolError.ProtocolError).dialect, "ollama")
  })

  it("a frame that is JSON but not an object fails with ProtocolError", () => {
    const error = failure(Dialects.anthropic, "event: ping\ndata: 42\n\n")
    assert.instanceOf(error, ProtocolError.ProtocolError)
    assert.include((error as ProtocolError.ProtocolError).reason, "not a JSON object")
  })

  it("a JSON body where SSE is expected fails with ProtocolError, not a silent truncation", () => {
    const error = failure(Dialects.openaiChat, "{\"error\": {\"message\": \"bad key\"}}\n")
    assert.instanceOf(error, ProtocolError.ProtocolError)
    assert.include(error.message, "not an SSE stream")
  })

  it("a JSON body without its trailing newline fails the same way, keeping the excerpt", () => {
    const body = "\uFEFF{\"jsonrpc\":\"2.0\",\"id\":null,\"error\":{\"code\":-32000,\"message\":\"Bad Request\"}}"
    const bytes = encoder.encode(body)
    for (const pieces of [[bytes], [bytes.subarray(0, 10), bytes.subarray(10)], [encoder.encode(body + "\n")]]) {
      const result = decodeSync(Dialects.mcp, pieces)
      assert.isTrue(Result.isFailure(result))
      const error = (result as Result.Failure<unknown, unknown>).failure
      assert.instanceOf(error, ProtocolError.ProtocolError)
      assert.strictEqual((error as ProtocolError.ProtocolError).reason, "the body is JSON, not an SSE stream")
      assert.strictEqual((error as ProtocolError.ProtocolError).excerpt, body.slice(1))
    }
  })

  it.effect("decodeComplete reports a JSON body without newline as that ProtocolError, not UnexpectedEnd", () =>
    Effect.gen(function*() {
      const bytes = encoder.encode("{\"error\":{\"message\":\"bad key\",\"type\":\"invalid_request_error\"}}")
      const error = yield* Stream.runDrain(Dialect.decodeComplete(Dialects.openaiChat, Stream.make(bytes))).pipe(
        Effect.flip
      )
      assert.instanceOf(error, ProtocolError.ProtocolError)
      assert.include(error.message, "bad key")
    }))

  it("events decoded before a bad frame are still emitted, then the failure", () => {
    const bytes = encoder.encode("event: ping\ndata: {\"type\":\"ping\"}\n\ndata: {oops\n\n")
    const [events, error] = Effect.runSync(
      Dialects.anthropic.decode(Stream.make(bytes)).pipe(
        Stream.result,
        Stream.runCollect,
        Effect.map((all) =>
          [
            all.flatMap((item) => Result.isSuccess(item) ? [item.success] : []),
            all.find(Result.isFailure)
          ] as const
        )
      )
    )
    assert.deepStrictEqual(events, [StreamEvent.Keepalive({ value: { type: "ping" }, bytes: 35 })])
    assert.isTrue(error !== undefined && error.failure instanceof ProtocolError.ProtocolError)
  })

  it.effect("decodeComplete fails with core's UnexpectedEnd when the bytes end without done", () =>
    Effect.gen(function*() {
      const bytes = encoder.encode("data: {\"choices\":[{\"delta\":{\"content\":\"hi\"}}]}\n\n")
      const error = yield* Stream.runDrain(Dialect.decodeComplete(Dialects.openaiChat, Stream.make(bytes))).pipe(
        Effect.flip
      )
      assert.instanceOf(error, GuardError.UnexpectedEnd)
      assert.strictEqual((error as GuardError.UnexpectedEnd).chunks, 1)
    }))

  it.effect("decodeComplete stops at the first done or error signal and succeeds", () =>
    Effect.gen(function*() {
      const bytes = encoder.encode("data: {\"error\":{\"type\":\"server_error\"}}\n\ndata: [DONE]\n\ndata: {oops\n\n")
      const events = yield* Stream.runCollect(Dialect.decodeComplete(Dialects.openaiChat, Stream.make(bytes)))
      assert.deepStrictEqual(events.map((event) => event._tag), ["ErrorSignal"])
    }))
})
