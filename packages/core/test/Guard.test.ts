import { assert, describe, it } from "@effect/vitest"
import { Guard, StreamEvent, TimeoutPolicy } from "@streamguard/core"
import { Chunk, Effect, Exit, Fiber, Stream, TestClock } from "effect"

const chunk = (value: string) => StreamEvent.Chunk({ value, bytes: value.length })
const done = StreamEvent.Done({ bytes: 6 })

describe("Guard", () => {
  it.effect("done ends the stream with the content before it", () =>
    Effect.gen(function*() {
      const out = yield* Stream.make(chunk("a"), chunk("b"), done, chunk("c")).pipe(
        Guard.guard(TimeoutPolicy.make({ chunk: "30 seconds" })),
        Stream.runCollect
      )
      assert.deepStrictEqual(Chunk.toReadonlyArray(out), ["a", "b"])
    }))

  it.effect("silence past the chunk timeout fails with ChunkTimeout at exactly the limit", () =>
    Effect.gen(function*() {
      const fiber = yield* Stream.concat(Stream.make(chunk("a")), Stream.never).pipe(
        Guard.guard(TimeoutPolicy.make({ chunk: "30 seconds" })),
        Stream.runCollect,
        Effect.fork
      )
      yield* TestClock.adjust("29999 millis")
      assert.isNull(yield* Fiber.poll(fiber).pipe(Effect.map((o) => o._tag === "Some" ? o.value : null)))
      yield* TestClock.adjust("1 millis")
      const exit = yield* Fiber.await(fiber)
      assert.isTrue(Exit.isFailure(exit))
      if (Exit.isFailure(exit)) {
        const error = exit.cause._tag === "Fail" ? exit.cause.error : undefined
        assert.strictEqual((error as { _tag: string })._tag, "ChunkTimeout")
      }
    }))
})
