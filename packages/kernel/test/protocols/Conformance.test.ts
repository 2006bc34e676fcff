import type * as Dialect from "@streamguard/kernel/protocols/Dialect"
import * as Dialects from "@streamguard/kernel/protocols/Dialects"
import type * as StreamEvent from "@streamguard/kernel/StreamEvent"
import * as fs from "node:fs"
import * as path from "node:path"
import { assert, describe, it } from "vitest"
import {
  cutAt,
  decodeOk,
  randomCuts,
  readTranscript,
  singleBytes,
  transcriptDecodeOptions,
  transcriptsDir,
  trickyCuts
} from "./fixtures/wire.js"

interface Expect {
  readonly outcome: "done" | "error" | "truncated"
  readonly contentChunks: number
  readonly keepalives: number
  readonly errorType?: string
}

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

/**
 * The counting rules of fixtures/transcripts/README.md, read off decoded events: an error signal anywhere wins, then done; content
 * is the `Chunk` count; keepalives are pings only (SSE comments and provider pings), not the
 * lifecycle frames that also decode to `Keepalive`.
 */
const summarize = <A>(dialect: Dialect.Dialect<A>, events: ReadonlyArray<StreamEvent.StreamEvent<A>>): Expect => {
  const error = events.find((event) => event._tag === "ErrorSignal")
  const outcome = error !== undefined ? "error" : events.some((event) => event._tag === "Done") ? "done" : "truncated"
  return {
    outcome,
    contentChunks: events.filter((event) => event._tag === "Chunk").length,
    keepalives: events.filter(dialect.isPing).length,
    ...(error?._tag === "ErrorSignal" ? { errorType: error.errorType } : {})
  }
}

const expectFile = (name: string) =>
  JSON.parse(fs.readFileSync(path.join(transcriptsDir, name.replace(/\.txt$/, ".expect.json")), "utf8"))

const expected = (name: string): Expect => {
  const json = expectFile(name)
  return {
    outcome: json.outcome,
    contentChunks: json.contentChunks,
    keepalives: json.keepalives,
    ...(json.errorType === undefined ? {} : { errorType: json.errorType })
  }
}

describe("Conformance corpus", () => {
  it("finds all 27 transcripts", () => {
    assert.strictEqual(transcripts.length, 27)
  })

  for (const name of transcripts) {
    const dialect = dialects[name.split("/")[0]!]!
    it(
      `${name}: decodes to its expected outcome and counts, whole, byte by byte, and in random and tricky cuts`,
      () => {
        const bytes = readTranscript(name)
        const options = transcriptDecodeOptions(dialect, name)
        const whole = decodeOk(dialect, [bytes], options)
        assert.deepStrictEqual(summarize(dialect, whole), expected(name))
        const splits = [
          singleBytes(bytes),
          cutAt(bytes, trickyCuts(bytes)),
          ...Array.from({ length: 20 }, (_, seed) => cutAt(bytes, randomCuts(bytes.length, seed + 1, 1 + seed * 7)))
        ]
        for (const pieces of splits) {
          // Same events, bytes included: the split never changes what is decoded.
          assert.deepStrictEqual(decodeOk(dialect, pieces, options), whole)
        }
      },
      30_000
    )
  }

  it("every wire byte is counted in some event, except at most the final LF after a comment or CRLF", () => {
    for (const name of transcripts) {
      // The array's closing bracket and line end count toward no element.
      if (name.includes("json-array")) continue
      const bytes = readTranscript(name)
      const events = decodeOk(dialects[name.split("/")[0]!]!, [bytes])
      const total = events.reduce((sum, event) => sum + event.bytes, 0)
      assert.isTrue(total <= bytes.length && total >= bytes.length - 1, `${name}: ${total} of ${bytes.length}`)
    }
  })
})
