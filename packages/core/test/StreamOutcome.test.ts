import { assert, describe, it } from "@effect/vitest"
import { StreamOutcome } from "@streamguard/core"

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
