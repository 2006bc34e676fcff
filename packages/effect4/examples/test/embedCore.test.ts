import { assert, it } from "@effect/vitest"
import { Profiles } from "@streamguard/core"
import { Effect, Fiber } from "effect"
import { TestClock } from "effect/testing"
import { execFile } from "node:child_process"
import { fileURLToPath } from "node:url"
import { main, program } from "../src/embedCore.js"

const file = fileURLToPath(new URL("../src/embedCore.ts", import.meta.url))

// Effect 4's TestClock.adjust does not wait for a fiber forked just before it to reach its first
// sleep: a yield lets it start.
const started = <A, E, R>(effect: Effect.Effect<A, E, R>) =>
  Effect.gen(function*() {
    const fiber = yield* Effect.forkChild(effect)
    yield* Effect.yieldNow
    return fiber
  })

it.effect("the README example ends the zombie with a chunk timeout 1 s after the last token", () =>
  Effect.gen(function*() {
    const fiber = yield* started(main)
    yield* TestClock.adjust("1599 millis")
    assert.isUndefined(fiber.pollUnsafe())
    yield* TestClock.adjust("1 millis")
    assert.strictEqual(yield* Fiber.join(fiber), "chunk_timeout")
  }))

it.effect("under the plain chat profile the same zombie lives until the 30 s chunk timeout", () =>
  Effect.gen(function*() {
    const fiber = yield* started(program.pipe(Effect.provide(Profiles.chat)))
    yield* TestClock.adjust("30599 millis")
    assert.isUndefined(fiber.pollUnsafe())
    yield* TestClock.adjust("1 millis")
    assert.strictEqual(yield* Fiber.join(fiber), "chunk_timeout")
  }))

it.live(
  "run as a program (npm start in the workspace), it prints three tokens, then the chunk timeout",
  () =>
    Effect.gen(function*() {
      const stdout = yield* Effect.callback<string, Error>((resume) => {
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
