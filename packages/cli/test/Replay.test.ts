import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import * as Fs from "node:fs"
import * as Path from "node:path"
import { fileURLToPath } from "node:url"
import { runCli } from "./support/runCli.js"

const transcripts = Path.resolve(fileURLToPath(new URL(".", import.meta.url)), "../../../fixtures/transcripts")

/** How the corpus's outcomes are told by the guard. */
const outcomes: Record<string, string> = { done: "done", error: "error_signal", truncated: "unexpected_end" }

const cases = [
  ["anthropic/text-with-ping.txt", "anthropic"],
  ["openai-chat/openrouter-comment-keepalives.txt", "openaiChat"],
  ["openai-chat/groq-event-error-no-done.txt", "openaiChat"]
] as const

describe("streamguard replay", () => {
  for (const [name, dialect] of cases) {
    const expected = JSON.parse(Fs.readFileSync(Path.join(transcripts, name.replace(/\.txt$/, ".expect.json")), "utf8"))
    it.live(
      `${name}: ${expected.outcome}, ${expected.contentChunks} content chunks, ${expected.keepalives} keepalives`,
      () =>
        Effect.gen(function*() {
          const ran = yield* runCli(["replay", Path.join(transcripts, name), "--dialect", dialect, "--json"])
          assert.isUndefined(ran.failure)
          const [run] = JSON.parse(ran.stdout).runs
          assert.strictEqual(run.outcome, outcomes[expected.outcome])
          assert.strictEqual(run.chunks, expected.contentChunks)
          assert.strictEqual(run.keepalives, expected.keepalives)
        })
    )
  }

  it.live("prints the timeline and summary of a recording, paced by --gap", () =>
    Effect.gen(function*() {
      const file = Path.join(transcripts, "anthropic/text-with-ping.txt")
      const ran = yield* runCli(["replay", file, "--dialect", "anthropic", "--gap", "20ms"])
      assert.isUndefined(ran.failure)
      assert.include(ran.stdout, "first content (1 chunk)")
      assert.include(ran.stdout, "1 keepalive")
      assert.include(ran.stdout, "done  4 chunks, 1 keepalive")
      assert.include(ran.stdout, "Summary of 1 run: done 1")
      const json = JSON.parse(
        (yield* runCli(["replay", file, "--dialect", "anthropic", "--gap", "20ms", "--json"])).stdout
      )
      // 10 events, 20 ms before each: the content came at the pace of the replay.
      assert.isAtLeast(json.summary.contentGaps.p50, 15)
      assert.isAtLeast(json.runs[0].durationMillis, 180)
    }))
})
