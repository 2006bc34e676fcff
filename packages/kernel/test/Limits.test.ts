import type { Policy } from "@streamguard/kernel"
import { Limits } from "@streamguard/kernel"
import { assert, describe, it } from "vitest"

describe("Limits.limitsOf", () => {
  const policy: Policy.Policy = {
    connect: 10_000,
    pool: 1_000,
    request: 60_000,
    firstChunk: 5_000,
    chunk: 30_000,
    progress: Infinity,
    total: 120_000,
    minRate: { events: 5, windowMillis: 0.5 }
  }

  it("a stream gets every limit but request, its headers bounded by chunk when it has no headers limit", () => {
    assert.deepStrictEqual(Limits.limitsOf(policy, "stream"), {
      pool: 1_000,
      connect: 10_000,
      write: undefined,
      headers: 30_000,
      request: undefined,
      firstChunk: 5_000,
      chunk: 30_000,
      progress: undefined,
      reasoning: undefined,
      total: 120_000,
      // A window is at least a millisecond.
      minRate: { events: 5, window: 1 }
    })
    assert.strictEqual(Limits.limitsOf({ ...policy, headers: 2_000 }, "stream").headers, 2_000)
  })

  it("a batch gets only its phases and request", () => {
    assert.deepStrictEqual(Limits.limitsOf(policy, "batch"), {
      pool: 1_000,
      connect: 10_000,
      write: undefined,
      headers: undefined,
      request: 60_000,
      firstChunk: undefined,
      chunk: undefined,
      progress: undefined,
      reasoning: undefined,
      total: undefined,
      minRate: undefined
    })
  })
})
