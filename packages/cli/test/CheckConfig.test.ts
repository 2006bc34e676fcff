import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { execFile } from "node:child_process"
import * as Fs from "node:fs"
import * as Os from "node:os"
import * as Path from "node:path"
import { fileURLToPath } from "node:url"
import { runCli } from "./support/runCli.js"

const bin = fileURLToPath(new URL("../bin/streamguard.js", import.meta.url))

const configFile = (content: unknown) => {
  const dir = Fs.mkdtempSync(Path.join(Os.tmpdir(), "streamguard-cli-"))
  const file = Path.join(dir, "config.json")
  Fs.writeFileSync(file, JSON.stringify(content))
  return file
}

describe("streamguard check-config", () => {
  it.effect("prints every profile's effective policy: built-ins, the file's, then the env's", () =>
    Effect.gen(function*() {
      const file = configFile({
        port: 9000,
        profiles: { chat: { chunk: "45s", minRate: "5/10s" }, agent: { base: "research", firstChunk: "2m" } }
      })
      const ran = yield* runCli(["check-config", file], { STREAMGUARD_CHAT_TOTAL_TIMEOUT: "none" })
      assert.isUndefined(ran.failure)
      assert.include(ran.stdout, `Config file ${file}, environment applied:`)
      assert.match(ran.stdout, /chat\s+connect 10s, write 10s, request 1m, chunk 45s, minRate 5\/10s\n/)
      assert.match(ran.stdout, /agent\s+.*firstChunk 2m/)
      const json = JSON.parse((yield* runCli(["check-config", file, "--json"])).stdout)
      assert.deepStrictEqual(json.profiles.find((p: { name: string }) => p.name === "chat").limits.chunk, "45s")
    }))

  it.effect("a bad value in the file names its key and fails", () =>
    Effect.gen(function*() {
      const ran = yield* runCli(["check-config", configFile({ profiles: { chat: { chunk: "fast" } } })])
      assert.strictEqual(ran.failure?._tag, "CliError")
      assert.include(ran.failure?.message, "bad config profiles.chat.chunk")
    }))

  it.effect("a bad env value names the variable and fails", () =>
    Effect.gen(function*() {
      const ran = yield* runCli(["check-config"], { STREAMGUARD_MCP_PROGRESS_TIMEOUT: "-5" })
      assert.strictEqual(ran.failure?._tag, "CliError")
      assert.include(ran.failure?.message, "bad config STREAMGUARD_MCP_PROGRESS_TIMEOUT")
    }))

  it.effect("a misspelt profile variable is named with the key it is nearest to, and fails", () =>
    Effect.gen(function*() {
      const ran = yield* runCli(["check-config"], {
        STREAMGUARD_CHAT_FIRSTCHUNK_TIMEOUT: "5s",
        STREAMGUARD_CHAT_MIN_RATE_TIMEOUT: "5/10s",
        // The gateway's own: left to the gateway, which checks it at start-up.
        STREAMGUARD_GATEWAY_KEYS: "k"
      })
      assert.strictEqual(ran.failure?._tag, "CliError")
      assert.deepStrictEqual(ran.failure?.message.split("\n"), [
        "STREAMGUARD_CHAT_FIRSTCHUNK_TIMEOUT is not a StreamGuard setting, so it changes nothing; " +
        "did you mean STREAMGUARD_CHAT_FIRST_CHUNK_TIMEOUT?",
        "STREAMGUARD_CHAT_MIN_RATE_TIMEOUT is not a StreamGuard setting, so it changes nothing; " +
        "did you mean STREAMGUARD_CHAT_MIN_RATE?"
      ])
      assert.notInclude(ran.stdout, "environment applied")
      const fine = yield* runCli(["check-config"], { STREAMGUARD_GATEWAY_KEYS: "k" })
      assert.isUndefined(fine.failure)
    }))

  it("the streamguard bin prints the error naming the key on stderr and exits 1", async () => {
    const file = configFile({ profiles: { batch: { request: "soon" } } })
    const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith("STREAMGUARD_")))
    const result = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
      execFile(
        process.execPath,
        [bin, "check-config", file],
        { env, timeout: 30_000 },
        (error, stdout, stderr) => resolve({ code: error === null ? 0 : (error.code as number | null), stdout, stderr })
      )
    })
    assert.strictEqual(result.code, 1)
    assert.include(result.stderr, "bad config profiles.batch.request")
    assert.strictEqual(result.stdout, "")
  }, 30_000)
})
