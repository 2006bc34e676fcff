import * as TimeTravel from "@streamguard/kernel/TimeTravel"
import { assert, describe, it } from "vitest"

describe("TimeTravel", () => {
  it("holds only for the expected end at the exact millisecond", () => {
    assert.isUndefined(TimeTravel.verdict("succeeded", 30_000, { atMillis: 30_000, how: "succeeded", matched: true }))
    assert.deepStrictEqual(
      TimeTravel.verdict("succeeded", 30_000, { atMillis: 29_999, how: "succeeded", matched: true }),
      {
        expected: "to have succeeded at 30000 ms",
        actual: "it succeeded at 29999 ms"
      }
    )
    assert.deepStrictEqual(
      TimeTravel.verdict("failed with Boom", 5_000, { atMillis: 5_000, how: "failed with Other", matched: false }),
      { expected: "to have failed with Boom at 5000 ms", actual: "it failed with Other at 5000 ms" }
    )
    assert.deepStrictEqual(TimeTravel.verdict("succeeded", 10, undefined), {
      expected: "to have succeeded at 10 ms",
      actual: "it was still running at 10 ms"
    })
  })

  it("a failure reads as its tag, or as itself", () => {
    assert.strictEqual(TimeTravel.failedWith({ _tag: "ChunkTimeout" }), "failed with ChunkTimeout")
    assert.strictEqual(TimeTravel.failedWith("boom"), "failed with boom")
  })
})
