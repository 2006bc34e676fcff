import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { type ChildProcess, spawn } from "node:child_process"
import { fileURLToPath } from "node:url"

const main = fileURLToPath(new URL("../src/main.ts", import.meta.url))

interface Running {
  readonly child: ChildProcess
  readonly url: string
  readonly exit: Promise<{ readonly code: number | null; readonly at: number }>
  readonly output: () => string
}

/** `npm start` as a child process (the simulator mode), waiting for the URL it prints. */
const spawnGateway = (env: Record<string, string>) =>
  Effect.acquireRelease(
    Effect.promise(() =>
      new Promise<Running>((resolve, reject) => {
        const child = spawn(process.execPath, ["--conditions=@streamguard/source", "--import", "tsx", main], {
          env: { ...process.env, PORT: "0", SIM_PORT: "0", ...env },
          stdio: ["ignore", "pipe", "pipe"]
        })
        let output = ""
        const exit = new Promise<{ code: number | null; at: number }>((done) =>
          child.on("exit", (code) => done({ code, at: Date.now() }))
        )
        const timer = setTimeout(() => reject(new Error(`gateway did not start:\n${output}`)), 25_000)
        const onData = (data: Buffer) => {
          output += data.toString()
          const match = /streamguard gateway: (http:\/\/\S+)/.exec(output)
          if (match) {
            clearTimeout(timer)
            resolve({ child, url: match[1]!, exit, output: () => output })
          }
        }
        child.stdout.on("data", onData)
        child.stderr.on("data", onData)
      })
    ),
    (running) => Effect.sync(() => running.child.kill("SIGKILL"))
  )

const openStream = (url: string, model: string) =>
  fetch(`${url}/v1/chat/completions`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ model, stream: true, messages: [{ role: "user", content: "hi" }] })
  }).then(async (response) => {
    const reader = response.body!.getReader()
    const decoder = new TextDecoder()
    let text = ""
    const first = reader.read().then((r) => {
      text += decoder.decode(r.value, { stream: true })
    })
    const rest = first.then(async () => {
      for (;;) {
        const { done, value } = await reader.read()
        if (done) return text
        text += decoder.decode(value, { stream: true })
      }
    })
    await first
    return { rest }
  })

describe("graceful shutdown", () => {
  it.scopedLive("SIGTERM during 5 open streams lets them finish, then exits 0", () =>
    Effect.gen(function*() {
      const gateway = yield* spawnGateway({ STREAMGUARD_DRAIN_TIMEOUT: "10s" })
      const streams = yield* Effect.promise(() =>
        Promise.all(Array.from({ length: 5 }, () => openStream(gateway.url, "sim:steady?chunks=15&gap=50ms")))
      )
      const signalledAt = Date.now()
      gateway.child.kill("SIGTERM")
      const bodies = yield* Effect.promise(() => Promise.all(streams.map((s) => s.rest)))
      const exit = yield* Effect.promise(() => gateway.exit)
      for (const body of bodies) assert.include(body, "data: [DONE]")
      assert.strictEqual(exit.code, 0, gateway.output())
      assert.isAtMost(exit.at - signalledAt, 10_000 + 1_000)
    }), { timeout: 60_000 })

  it.scopedLive(
    "streams still open at the drain timeout end with the shutdown error event, and the exit is 0",
    () =>
      Effect.gen(function*() {
        const gateway = yield* spawnGateway({ STREAMGUARD_DRAIN_TIMEOUT: "1s" })
        const streams = yield* Effect.promise(() =>
          Promise.all(Array.from({ length: 5 }, () => openStream(gateway.url, "sim:steady?chunks=400&gap=20ms")))
        )
        const signalledAt = Date.now()
        gateway.child.kill("SIGTERM")
        const bodies = yield* Effect.promise(() => Promise.all(streams.map((s) => s.rest)))
        const exit = yield* Effect.promise(() => gateway.exit)
        for (const body of bodies) {
          assert.include(body.slice(-600), "\"type\":\"shutting_down\"", gateway.output())
          assert.notInclude(body, "data: [DONE]")
        }
        assert.strictEqual(exit.code, 0, gateway.output())
        // drainTimeout + 1 s is the budget; the extra half second is the child's own exit and signal
        // delivery on a loaded CI box (the gateway's part ends within drainTimeout + 250 ms).
        assert.isAtMost(exit.at - signalledAt, 1_000 + 1_500)
      }),
    { timeout: 60_000 }
  )
})
