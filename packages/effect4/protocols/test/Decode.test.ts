/**
 * `decode` is each dialect's decoder run over a `Stream`: the same events, whatever chunks the
 * stream carries its bytes in. The decoding rules themselves are the kernel's, tested there.
 */
import { assert, describe, it } from "@effect/vitest"
import type { StreamEvent } from "@streamguard/core"
import type { Dialect } from "@streamguard/protocols"
import { Dialects } from "@streamguard/protocols"
import { Effect, Stream } from "effect"
import * as fs from "node:fs"
import * as path from "node:path"
import { transcriptsDir } from "./fixtures/wire.js"

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

/** What the dialect's decoder gives for the bytes in one read. */
const byHand = <A>(dialect: Dialect.Dialect<A>, bytes: Uint8Array) => {
  const decoder = dialect.decoder()
  const out: Array<StreamEvent.StreamEvent<A>> = []
  assert.isUndefined(decoder.push(bytes, out))
  assert.isUndefined(decoder.end(out))
  return out
}

describe("Dialect.decode", () => {
  it.effect("gives every recorded stream's events as its decoder does, in reads of any size and chunks of many reads", () =>
    Effect.gen(function*() {
      assert.strictEqual(transcripts.length, 27)
      for (const name of transcripts) {
        const dialect = dialects[name.split("/")[0]!]!
        const bytes = new Uint8Array(fs.readFileSync(path.join(transcriptsDir, name)))
        const expected = byHand(dialect, bytes)
        for (const [size, chunk] of [[bytes.length, 1], [1, 7], [13, 3], [100, 1]] as const) {
          const reads = Array.from(
            { length: Math.ceil(bytes.length / size) },
            (_, i) => bytes.subarray(i * size, (i + 1) * size)
          )
          const events = yield* dialect.decode(Stream.fromIterable(reads).pipe(Stream.rechunk(chunk))).pipe(
            Stream.runCollect
          )
          assert.deepStrictEqual(events, expected, `${name} in reads of ${size}`)
        }
      }
    }))
})
