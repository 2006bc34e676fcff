import { it } from "@effect/vitest"
import { Profiles } from "@streamguard/core"
import { Effect, Fiber, TestClock } from "effect"
import { assert } from "vitest"
import { main, program } from "../src/embedCore.js"

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
