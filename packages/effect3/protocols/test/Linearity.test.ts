import { assert, describe, it } from "@effect/vitest"
import { Dialects } from "@streamguard/protocols-effect3"
import { Effect, Stream } from "effect"
import { encoder } from "./fixtures/wire.js"

const mib = 1024 * 1024

/** About 1 MiB of Chat Completions traffic: small content chunks, comments and one 400 KB event. */
const block = (() => {
  const chat = Dialects.openaiChat
  const parts: Array<string> = []
  let size = 0
  let i = 0
  while (size < mib - 450_000) {
    const part = i % 50 === 0 ? ": OPENROUTER PROCESSING\r\n\r\n" : chat.encode(chat.textEvent(`tok ${i} é😀 `))
    parts.push(part)
    size += part.length
    i++
  }
  parts.push(chat.encode(chat.textEvent("x".repeat(400_000))))
  return encoder.encode(parts.join(""))
})()

describe("Linearity", () => {
  it.effect(
    "decodes a 150 MB stream in bounded memory, events far larger than a network chunk included",
    () =>
      Effect.gen(function*() {
        const repeats = 150
        const piece = 4096
        const pieces = Stream.range(0, repeats - 1).pipe(
          Stream.flatMap(() =>
            Stream.range(0, Math.ceil(block.length / piece) - 1).pipe(
              Stream.map((i) => block.subarray(i * piece, (i + 1) * piece))
            )
          )
        )
        const baseline = process.memoryUsage().heapUsed
        let peak = baseline
        const events = yield* Dialects.openaiChat.decode(pieces).pipe(
          Stream.mapChunks((chunk) => {
            const used = process.memoryUsage().heapUsed
            if (used > peak) peak = used
            return chunk
          }),
          Stream.runCount
        )
        const perBlock = Dialects.openaiChat.decode(Stream.make(block)).pipe(Stream.runCount)
        assert.strictEqual(events, repeats * (yield* perBlock))
        assert.isAtLeast(repeats * block.length, 150_000_000)
        // Holding the input (or the text decoded from it) would grow the heap by 150 MB and more;
        // the decoder holds one event at most, so garbage collection keeps the peak well below. The
        // peak counts garbage not yet collected, which V8 lets reach about 40 MiB on Node 26 before
        // a collection; the bound sits at twice that and still far under what holding the input costs.
        assert.isBelow(peak - baseline, 80 * mib, `heap grew by ${Math.round((peak - baseline) / mib)} MiB`)
      }),
    60_000
  )
})
