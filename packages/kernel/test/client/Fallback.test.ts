import * as Fallback from "@streamguard/kernel/client/Fallback"
import { assert, describe, it } from "vitest"

describe("Fallback", () => {
  it("moves on from what another upstream may mend, not from the request's own faults or its spent budget", () => {
    for (
      const outcome of [
        "connect_timeout",
        "chunk_timeout",
        "transport_error",
        "error_signal",
        "protocol_error"
      ] as const
    ) {
      assert.isTrue(Fallback.fallsBack({ outcome }), outcome)
    }
    for (const outcome of ["total_timeout", "request_timeout", "interrupted", "consumer_stopped", "done"] as const) {
      assert.isFalse(Fallback.fallsBack({ outcome }), outcome)
    }
    assert.isTrue(Fallback.fallsBack({ outcome: "upstream_http_error", status: 429 }))
    assert.isTrue(Fallback.fallsBack({ outcome: "upstream_http_error", status: 501 }))
    assert.isFalse(Fallback.fallsBack({ outcome: "upstream_http_error", status: 400 }))
    assert.isFalse(Fallback.fallsBack({ outcome: "upstream_http_error" }))
  })

  it("the first attempt gets the whole budget, each later one what is left", () => {
    assert.strictEqual(Fallback.shareMillis(10_000, 3_000, 1), 10_000)
    assert.strictEqual(Fallback.shareMillis(10_000, 3_000, 2), 7_000)
    assert.strictEqual(Fallback.shareMillis(Infinity, 3_000, 2), Infinity)
    assert.strictEqual(Fallback.leftMillis(10_000, 10_000), 0)
  })

  it("an attempt's timeout of its share is the request's, with the share when it was less", () => {
    const attempt = {
      limitMillis: 7_000,
      elapsedMillis: 7_000,
      chunks: 2,
      sinceLastEventMillis: 500,
      lastEvent: "chunk" as const
    }
    assert.deepStrictEqual(Fallback.asRequest(attempt, 10_000, 10_000), {
      limitMillis: 10_000,
      elapsedMillis: 10_000,
      chunks: 2,
      sinceLastEventMillis: 500,
      lastEvent: "chunk",
      attemptLimitMillis: 7_000
    })
    assert.isUndefined(Fallback.asRequest({ ...attempt, limitMillis: 10_000 }, 10_000, 10_000).attemptLimitMillis)
  })
})
