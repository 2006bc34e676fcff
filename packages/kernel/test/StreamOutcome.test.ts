import { StreamOutcome } from "@streamguard/kernel"
import { assert, describe, it } from "vitest"

describe("StreamOutcome.isTransientStatus", () => {
  it("holds for the statuses a moment may change: a timed-out request, a rate limit, a failing or overloaded server", () => {
    for (const status of [408, 429, 500, 502, 503, 504, 529]) {
      assert.isTrue(StreamOutcome.isTransientStatus(status), String(status))
    }
  })

  it("holds for no status the same upstream would answer again: 501, 505 and the client's own mistakes", () => {
    for (const status of [400, 401, 403, 404, 409, 413, 422, 501, 505, 200, 204, 301]) {
      assert.isFalse(StreamOutcome.isTransientStatus(status), String(status))
    }
  })
})

describe("StreamOutcome.isStreamOutcome", () => {
  it("knows every outcome and nothing else", () => {
    for (const outcome of StreamOutcome.outcomes) assert.isTrue(StreamOutcome.isStreamOutcome(outcome))
    for (const other of ["shutting_down", "timeout", "", undefined, 3]) {
      assert.isFalse(StreamOutcome.isStreamOutcome(other))
    }
  })
})

describe("StreamOutcome.outcomeOf", () => {
  it("reads the outcome an error knows, and nothing from anything else", () => {
    assert.strictEqual(StreamOutcome.outcomeOf({ outcome: "chunk_timeout" }), "chunk_timeout")
    for (const other of [{ outcome: "timeout" }, {}, null, "done", new Error("x")]) {
      assert.isUndefined(StreamOutcome.outcomeOf(other))
    }
  })
})

describe("StreamOutcome.isSuccessStatus", () => {
  it("is 2xx only", () => {
    assert.deepStrictEqual([199, 200, 204, 299, 300, 429].map(StreamOutcome.isSuccessStatus), [
      false,
      true,
      true,
      true,
      false,
      false
    ])
  })
})
