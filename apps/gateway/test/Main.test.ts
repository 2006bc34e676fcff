import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { spawn } from "node:child_process"
import { fileURLToPath } from "node:url"

const main = fileURLToPath(new URL("../src/main.ts", import.meta.url))

/** The gateway's main as `npm start` runs it, to its exit. */
const run = (args: ReadonlyArray<string>, env: Record<string, string> = {}) =>
  Effect.async<{ readonly code: number | null; readonly stdout: string; readonly stderr: string }>((resume) => {
    const child = spawn(process.execPath, ["--conditions=@streamguard/source", "--import", "tsx", main, ...args], {
      env: { ...process.env, PORT: "0", SIM_PORT: "0", ...env },
      stdio: ["ignore", "pipe", "pipe"]
    })
    let stdout = ""
    let stderr = ""
    child.stdout.on("data", (data: Buffer) => stdout += data.toString())
    child.stderr.on("data", (data: Buffer) => stderr += data.toString())
    child.on("exit", (code) => resume(Effect.succeed({ code, stdout, stderr })))
    return Effect.sync(() => child.kill("SIGKILL"))
  })

describe("npm start", () => {
  it.live("--help prints the usage and every config key with its default, then exits 0", () =>
    Effect.gen(function*() {
      const help = yield* run(["--help"])
      assert.strictEqual(help.code, 0, help.stderr)
      assert.include(help.stdout, "usage: npm start [-- --help]")
      for (
        const key of ["PORT", "STREAMGUARD_GATEWAY_KEYS", "STREAMGUARD_MAX_BODY_BYTES", "STREAMGUARD_DRAIN_TIMEOUT"]
      ) {
        assert.include(help.stdout, key)
      }
      assert.notInclude(help.stdout, "streamguard gateway: http")
    }), { timeout: 30_000 })

  it.live("a bad config value stops start-up naming the key, with exit code 1", () =>
    Effect.gen(function*() {
      const failed = yield* run([], { STREAMGUARD_KEEPALIVE_INTERVAL: "soon" })
      assert.strictEqual(failed.code, 1)
      assert.include(failed.stderr, "STREAMGUARD_KEEPALIVE_INTERVAL")
      assert.notInclude(failed.stdout, "streamguard gateway: http")
    }), { timeout: 30_000 })
})
