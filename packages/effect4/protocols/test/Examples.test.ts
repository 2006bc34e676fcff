import { assert, describe, it } from "@effect/vitest"
import { StreamEvent } from "@streamguard/core"
import { Effect, Result, Stream } from "effect"
import { dialect, events, wire } from "./examples/dialects.js"

describe("the protocols README's example", () => {
  it.effect("decodes the body, writes a text event, detects the dialect", () =>
    Effect.gen(function*() {
      const decoded = yield* Stream.runCollect(events)
      assert.deepStrictEqual(decoded.map(StreamEvent.type), ["keepalive"])
      assert.include(wire, "\"content\":\"hello\"")
      assert.isTrue(Result.isSuccess(dialect) && dialect.success.name === "anthropic")
    }))
})
