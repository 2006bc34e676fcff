import { assert, describe, it } from "@effect/vitest"
import { UpstreamSimulator } from "@streamguard/simulator"
import { Effect, Layer } from "effect"
import { execFile } from "node:child_process"
import { fileURLToPath } from "node:url"
import { streamChat, StreamChatLive } from "../src/streamChat.js"

const program = fileURLToPath(new URL("../src/streamChat.ts", import.meta.url))

/** The example run as the README says, `tsx` on the file, with the upstream's base URL. */
const runProgram = (baseUrl: string) =>
  Effect.callback<{ readonly code: number | null; readonly stdout: string }>((resume) => {
    const child = execFile(
      process.execPath,
      ["--conditions=@streamguard/source", "--import", "tsx", program, baseUrl],
      { timeout: 30_000 },
      (error, stdout) => resume(Effect.succeed({ code: error === null ? 0 : (error.code as number | null), stdout }))
    )
    return Effect.sync(() => child.kill())
  })

describe("streamChat example", () => {
  it.live("streams a whole chat completion from a real upstream server under the chat profile", () =>
    Effect.gen(function*() {
      const sim = yield* UpstreamSimulator.UpstreamSimulator
      const text = yield* streamChat(sim.url, "sim:steady?chunks=12&gap=1ms").pipe(Effect.provide(StreamChatLive))
      assert.isAbove(text.length, 12)
      const [record] = yield* sim.requests
      assert.strictEqual(record?.chunks, 12)
    }).pipe(Effect.provide(Layer.fresh(UpstreamSimulator.layer())), Effect.scoped))

  it.live("run as a program, it prints the answer streamed from the upstream given", () =>
    Effect.gen(function*() {
      const sim = yield* UpstreamSimulator.UpstreamSimulator
      const ran = yield* runProgram(sim.url)
      assert.strictEqual(ran.code, 0)
      const [record] = yield* sim.requests
      assert.strictEqual(record?.chunks, 20)
      assert.strictEqual(record?.end, "ended")
      assert.isAbove(ran.stdout.trim().length, 20)
    }).pipe(Effect.provide(Layer.fresh(UpstreamSimulator.layer())), Effect.scoped), { timeout: 30_000 })
})
