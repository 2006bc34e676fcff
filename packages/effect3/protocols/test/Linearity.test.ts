import { assert, describe, it } from "@effect/vitest"
import { Dialects } from "@streamguard/protocols-effect3"
import { Effect, Stream } from "effect"
import * as v8 from "node:v8"
import * as vm from "node:vm"
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

// What the decoder retains, measured after a collection: a peak of `heapUsed` also counts garbage
// V8 has not collected yet, which grows with the input's length and differs between Node versions.
// Node defines `gc` only under --expose-gc: the flag is set at run time, and a fresh context, made
// after it, has the function.
v8.setFlagsFromString("--expose-gc")
const collect = vm.runInNewContext("gc") as () => void
const retained = () => {
  collect()
  return process.memoryUsage().heapUsed
}

describe("Linearity", () => {
  it.effect(
    "decodes a 50 MB stream in bounded memory, events far larger than a network chunk included",
    () =>
      Effect.gen(function*() {
        const repeats = 50
        const piece = 4096
        const baseline = retained()
        let most = baseline
        // Before each block: what the decoder holds then, after everything before it was read.
        const pieces = Stream.range(0, repeats - 1).pipe(
          Stream.tap(() =>
            Effect.sync(() => {
              most = Math.max(most, retained())
            })
          ),
          Stream.flatMap(() =>
            Stream.range(0, Math.ceil(block.length / piece) - 1).pipe(
              Stream.map((i) => block.subarray(i * piece, (i + 1) * piece))
            )
          )
        )
        const events = yield* Dialects.openaiChat.decode(pieces).pipe(Stream.runCount)
        const perBlock = Dialects.openaiChat.decode(Stream.make(block)).pipe(Stream.runCount)
        assert.strictEqual(events, repeats * (yield* perBlock))
        assert.isAtLeast(repeats * block.length, 50_000_000)
        // Holding the input (or the text decoded from it) would retain 50 MB and more by the last
        // block; the decoder holds one event at most.
        assert.isBelow(most - baseline, 8 * mib, `the decoder retained ${Math.round((most - baseline) / mib)} MiB`)
      }),
    60_000
  )
})
