import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import type { ChildProcess } from "node:child_process"
import { spawn } from "node:child_process"
import { mkdtempSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"

const main = fileURLToPath(new URL("../src/main.ts", import.meta.url))

/** The gateway's main as `npm start` runs it, to its exit. */
const run = (args: ReadonlyArray<string>, env: Record<string, string> = {}) =>
  Effect.callback<{ readonly code: number | null; readonly stdout: string; readonly stderr: string }>((resume) => {
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

/** The gateway's main, running: its printed lines once `line` appeared. Killed with the scope. */
const started = (env: Record<string, string>, line: RegExp) =>
  Effect.acquireRelease(
    Effect.callback<{ readonly child: ChildProcess; readonly stdout: () => string }, string>((resume) => {
      const child = spawn(process.execPath, ["--conditions=@streamguard/source", "--import", "tsx", main], {
        env: { ...process.env, PORT: "0", SIM_PORT: "0", ...env },
        stdio: ["ignore", "pipe", "pipe"]
      })
      let stdout = ""
      let stderr = ""
      child.stdout.on("data", (data: Buffer) => {
        stdout += data.toString()
        if (line.test(stdout)) resume(Effect.succeed({ child, stdout: () => stdout }))
      })
      child.stderr.on("data", (data: Buffer) => stderr += data.toString())
      child.on("exit", (code) => resume(Effect.fail(`exited ${code} before printing ${line}:\n${stdout}${stderr}`)))
    }),
    ({ child }) => Effect.sync(() => child.kill("SIGKILL"))
  )

const chat = (url: string, headers: Record<string, string> = {}) =>
  Effect.promise(() =>
    fetch(`${url}/v1/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json", ...headers },
      body: JSON.stringify({ model: "sim:steady?chunks=2&gap=1ms", messages: [{ role: "user", content: "hi" }] })
    }).then(async (response) => ({ status: response.status, body: await response.text() }))
  )

describe("npm start", () => {
  it.live("prints the address it bound: every interface by default, said so", () =>
    Effect.gen(function*() {
      const gateway = yield* started({}, /try: curl/)
      const banner =
        /streamguard gateway: http:\/\/0\.0\.0\.0:(\d+) \(every interface: other hosts can reach it; here: (\S+)\)/
          .exec(gateway.stdout())
      assert.isNotNull(banner, gateway.stdout())
      assert.strictEqual(banner![2], `http://localhost:${banner![1]}`)
      assert.include(gateway.stdout(), "gateway keys: none, auth off")
    }), { timeout: 30_000 })

  it.live(
    "with the simulator as upstream, gateway keys given are required, not dropped",
    () =>
      Effect.gen(function*() {
        const gateway = yield* started({ HOST: "127.0.0.1", STREAMGUARD_GATEWAY_KEYS: "k-one,k-two" }, /try: curl/)
        const url = /streamguard gateway: (http:\/\/127\.0\.0\.1:\d+)\n/.exec(gateway.stdout())?.[1]
        assert.isDefined(url, gateway.stdout())
        assert.include(gateway.stdout(), "-H 'authorization: Bearer <a gateway key>'")
        assert.strictEqual((yield* chat(url!)).status, 401)
        assert.strictEqual((yield* chat(url!, { authorization: "Bearer k-two" })).status, 200)
      }),
    { timeout: 30_000 }
  )

  it.live(
    "refuses to start as an open proxy: a keyed upstream, no gateway keys, every interface",
    () =>
      Effect.gen(function*() {
        const dir = mkdtempSync(join(tmpdir(), "gateway-main-"))
        const file = join(dir, "keyed.json")
        writeFileSync(
          file,
          JSON.stringify({
            upstreams: [{
              name: "openai",
              baseUrl: "https://api.openai.com/v1",
              dialect: "openai",
              apiKeyEnv: "OPENAI_API_KEY",
              models: ["gpt-*"]
            }]
          })
        )
        const refused = yield* run([], { STREAMGUARD_CONFIG: file, OPENAI_API_KEY: "sk-test" })
        assert.strictEqual(refused.code, 1)
        assert.match(
          refused.stderr,
          /^streamguard gateway: bad config STREAMGUARD_GATEWAY_KEYS: not set, while upstream openai/
        )
        assert.include(refused.stderr, "STREAMGUARD_ALLOW_OPEN_PROXY=true")
        assert.notInclude(refused.stdout, "streamguard gateway: http")
      }),
    { timeout: 30_000 }
  )

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
