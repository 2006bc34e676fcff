import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { type ChildProcess, spawn } from "node:child_process"
import { fileURLToPath } from "node:url"
import pidtree from "pidtree"

const main = fileURLToPath(new URL("../src/main.ts", import.meta.url))
const root = fileURLToPath(new URL("../../..", import.meta.url))

interface Running {
  readonly child: ChildProcess
  readonly url: string
  readonly exit: Promise<{ readonly code: number | null; readonly at: number }>
  readonly output: () => string
  /** For `npm`, every process under npm once the gateway listens: the launcher, then node. */
  readonly processes: ReadonlyArray<number>
  /** Resolves once the output matches `pattern` (now, or when the line comes). */
  readonly printed: (pattern: RegExp) => Promise<void>
}

/**
 * The gateway's main as a child process (the simulator mode), waiting for the URL it prints. With
 * `npm`, the command itself in a process group of its own, as a terminal or a service manager runs
 * it: `signalGroup` then reaches npm and the launcher it execs (scripts/node.mjs) as Ctrl-C does, and
 * the launcher relays it to node, which it runs in a group of its own.
 */
const spawnGateway = (env: Record<string, string>, options: { readonly npm?: boolean } = {}) =>
  Effect.acquireRelease(
    Effect.promise(() =>
      new Promise<Running>((resolve, reject) => {
        const spawnOptions = {
          env: { ...process.env, PORT: "0", SIM_PORT: "0", ...env },
          stdio: ["ignore", "pipe", "pipe"] as ["ignore", "pipe", "pipe"]
        }
        const child = options.npm
          ? spawn("npm", ["start"], { ...spawnOptions, cwd: root, detached: true })
          : spawn(process.execPath, ["--conditions=@streamguard/source", "--import", "tsx", main], spawnOptions)
        let output = ""
        const waiting: Array<{ readonly pattern: RegExp; readonly resolve: () => void }> = []
        const printed = (pattern: RegExp) =>
          new Promise<void>((done) => pattern.test(output) ? done() : waiting.push({ pattern, resolve: done }))
        const exit = new Promise<{ code: number | null; at: number }>((done) =>
          child.on("exit", (code) => done({ code, at: Date.now() }))
        )
        let listening = false
        const timer = setTimeout(() => reject(new Error(`gateway did not start:\n${output}`)), 25_000)
        const onData = (data: Buffer) => {
          output += data.toString()
          for (const wait of waiting.filter((w) => w.pattern.test(output))) {
            waiting.splice(waiting.indexOf(wait), 1)
            wait.resolve()
          }
          const match = /streamguard gateway: (http:\/\/\S+)/.exec(output)
          if (match && !listening) {
            listening = true
            clearTimeout(timer)
            const processes = options.npm ? pidtree(child.pid!) : Promise.resolve([])
            processes.then(
              (pids) => resolve({ child, url: match[1]!, exit, output: () => output, printed, processes: pids }),
              reject
            )
          }
        }
        child.stdout.on("data", onData)
        child.stderr.on("data", onData)
      })
    ),
    (running) =>
      Effect.sync(() => {
        if (options.npm) {
          signalGroup(running, "SIGKILL")
          for (const pid of running.processes) signal(pid, "SIGKILL")
        } else running.child.kill("SIGKILL")
      })
  )

/** A signal to a process, or to a process group for a negative pid; none to one that is gone. */
const signal = (pid: number, name: NodeJS.Signals) => {
  try {
    process.kill(pid, name)
  } catch (error) {
    // A group is gone once every process in it exited.
    if ((error as NodeJS.ErrnoException).code !== "ESRCH") throw error
  }
}

/** A signal to the child's whole process group (only for `npm` children, which lead their own). */
const signalGroup = (running: Running, name: NodeJS.Signals) => signal(-running.child.pid!, name)

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
  it.live(
    "after SIGTERM: readyz 503 at once, healthz 200, new requests 503 shutting_down, open streams finish",
    () =>
      Effect.gen(function*() {
        const gateway = yield* spawnGateway({ STREAMGUARD_DRAIN_TIMEOUT: "10s" })
        const streams = yield* Effect.promise(() =>
          Promise.all(Array.from({ length: 3 }, () => openStream(gateway.url, "sim:steady?chunks=40&gap=50ms")))
        )
        gateway.child.kill("SIGTERM")
        yield* Effect.promise(() => gateway.printed(/shutting down: draining streams in flight/))
        // Still listening while the streams drain: every probe and request gets an answer.
        const ready = yield* Effect.promise(() => fetch(`${gateway.url}/readyz`))
        assert.strictEqual(ready.status, 503)
        const health = yield* Effect.promise(() => fetch(`${gateway.url}/healthz`))
        assert.strictEqual(health.status, 200)
        const refused = yield* Effect.promise(() =>
          fetch(`${gateway.url}/v1/chat/completions`, {
            method: "POST",
            headers: { "content-type": "application/json" },
            body: JSON.stringify({ model: "sim:steady", stream: true, messages: [{ role: "user", content: "hi" }] })
          }).then(async (r) => ({ status: r.status, retryAfter: r.headers.get("retry-after"), json: await r.json() }))
        )
        assert.strictEqual(refused.status, 503)
        assert.strictEqual(refused.retryAfter, "1")
        assert.strictEqual((refused.json as any).error.type, "shutting_down")
        const bodies = yield* Effect.promise(() => Promise.all(streams.map((s) => s.rest)))
        for (const body of bodies) assert.include(body, "data: [DONE]")
        const exit = yield* Effect.promise(() => gateway.exit)
        assert.strictEqual(exit.code, 0, gateway.output())
      }),
    { timeout: 60_000 }
  )

  it.live(
    "a SIGTERM or SIGINT that repeats while the gateway drains is logged and ignored: the streams finish with their done",
    () =>
      Effect.gen(function*() {
        const gateway = yield* spawnGateway({ STREAMGUARD_DRAIN_TIMEOUT: "10s" })
        const streams = yield* Effect.promise(() =>
          Promise.all(Array.from({ length: 3 }, () => openStream(gateway.url, "sim:steady?chunks=60&gap=50ms")))
        )
        gateway.child.kill("SIGTERM")
        yield* Effect.promise(() => gateway.printed(/shutting down: draining streams in flight/))
        // What npm and tsx relaying a process group's signal do: node gets it again, mid-drain.
        gateway.child.kill("SIGTERM")
        gateway.child.kill("SIGINT")
        const bodies = yield* Effect.promise(() => Promise.all(streams.map((s) => s.rest)))
        const exit = yield* Effect.promise(() => gateway.exit)
        for (const body of bodies) assert.include(body, "data: [DONE]")
        assert.strictEqual(exit.code, 0, gateway.output())
        assert.match(gateway.output(), /SIGTERM: already draining, 3 streams left/)
        assert.match(gateway.output(), /SIGINT: already draining, 3 streams left/)
      }),
    { timeout: 60_000 }
  )

  it.live(
    "npm start: one SIGINT to its process group (Ctrl-C) drains the streams in flight, then every process exits",
    () =>
      Effect.gen(function*() {
        const gateway = yield* spawnGateway({ STREAMGUARD_DRAIN_TIMEOUT: "10s" }, { npm: true })
        const streams = yield* Effect.promise(() =>
          Promise.all(Array.from({ length: 3 }, () => openStream(gateway.url, "sim:steady?chunks=40&gap=50ms")))
        )
        signalGroup(gateway, "SIGINT")
        const bodies = yield* Effect.promise(() => Promise.all(streams.map((s) => s.rest)))
        yield* Effect.promise(() => gateway.exit)
        for (const body of bodies) assert.include(body, "data: [DONE]")
        assert.match(gateway.output(), /shutting down: draining streams in flight/)
        // The launcher got the Ctrl-C twice (from the group, and from npm relaying it) and relayed it
        // once: node, in a group of its own, got it once.
        assert.notMatch(gateway.output(), /already draining/)
        // npm waited for the gateway: nothing is left running, in npm's group or below npm.
        assert.throws(() => process.kill(-gateway.child.pid!, 0), /ESRCH/)
        assert.isAtLeast(gateway.processes.length, 2, "npm runs the launcher, the launcher node")
        for (const pid of gateway.processes) assert.throws(() => process.kill(pid, 0), /ESRCH/, `pid ${pid}`)
      }),
    { timeout: 60_000 }
  )

  it.live("SIGTERM during 5 open streams lets them finish, then exits 0", () =>
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

  it.live(
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
