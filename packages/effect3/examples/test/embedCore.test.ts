import { it } from "@effect/vitest"
import { Profiles } from "@streamguard/core-effect3"
import { Effect, Fiber, TestClock } from "effect"
import { execFile } from "node:child_process"
import { fileURLToPath } from "node:url"
import { assert } from "vitest"
import { main, program } from "../src/embedCore.js"

const file = fileURLToPath(new URL("../src/embedCore.ts", import.meta.url))

it.effect("the README example ends the zombie with a chunk timeout 1 s after the last token", () =>
  Effect.gen(function*() {
    const fiber = yield* Effect.fork(main)
    yield* TestClock.adjust("1599 millis")
    assert.isTrue((yield* Fiber.poll(fiber))._tag === "None")
    yield* TestClock.adjust("1 millis")
    assert.strictEqual(yield* Fiber.join(fiber), "chunk_timeout")
  }))

it.effect("under the plain chat profile the same zombie lives until the 30 s chunk timeout", () =>
  Effect.gen(function*() {
    const fiber = yield* Effect.fork(program.pipe(Effect.provide(Profiles.chat)))
    yield* TestClock.adjust("30599 millis")
    assert.isTrue((yield* Fiber.poll(fiber))._tag === "None")
    yield* TestClock.adjust("1 millis")
    assert.strictEqual(yield* Fiber.join(fiber), "chunk_timeout")
  }))

it.live(
  "run as a program (npm start in the workspace), it prints three tokens, then the chunk timeout",
  () =>
    Effect.gen(function*() {
      const stdout = yield* Effect.async<string, Error>((resume) => {
        const child = execFile(
          process.execPath,
          ["--conditions=@streamguard/source", "--import", "tsx", file],
          { timeout: 30_000 },
          (error, out) => resume(error === null ? Effect.succeed(out) : Effect.fail(error))
        )
        return Effect.sync(() => child.kill())
      })
      assert.deepStrictEqual(stdout.trim().split("\n").map((line) => line.trim()), [
        "token-0",
        "token-1",
        "token-2",
        "stream ended: chunk_timeout"
      ])
    }),
  { timeout: 30_000 }
)
