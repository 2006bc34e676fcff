import * as Retries from "@streamguard/kernel/client/Retries"
import { assert, describe, it } from "vitest"

describe("Retries", () => {
  it("retries a transient status, a connection that failed before the response, a connect timeout; nothing else", () => {
    assert.isTrue(Retries.isRetried({ outcome: "upstream_http_error", status: 503 }))
    assert.isTrue(Retries.isRetried({ outcome: "upstream_http_error", status: 429 }))
    assert.isFalse(Retries.isRetried({ outcome: "upstream_http_error", status: 400 }))
    assert.isFalse(Retries.isRetried({ outcome: "upstream_http_error", status: 501 }))
    assert.isTrue(Retries.isRetried({ outcome: "transport_error", stage: "request" }))
    assert.isFalse(Retries.isRetried({ outcome: "transport_error", stage: "response" }))
    assert.isTrue(Retries.isRetried({ outcome: "connect_timeout" }))
    for (const outcome of ["write_timeout", "headers_timeout", "pool_timeout", "chunk_timeout"] as const) {
      assert.isFalse(Retries.isRetried({ outcome }), outcome)
    }
  })

  it("waits at least the upstream's retry-after", () => {
    assert.strictEqual(Retries.delayMillis(100, { outcome: "upstream_http_error", retryAfterMillis: 2000 }), 2000)
    assert.strictEqual(Retries.delayMillis(3000, { outcome: "upstream_http_error", retryAfterMillis: 2000 }), 3000)
    assert.strictEqual(Retries.delayMillis(100, { outcome: "connect_timeout" }), 100)
  })

  it("starts no retry that would begin at or past the budget's end", () => {
    assert.isTrue(Retries.fits(1000, 500, 0, 1501))
    assert.isFalse(Retries.fits(1000, 500, 0, 1500))
    assert.isTrue(Retries.fits(1e12, 1e9, 0, Infinity))
  })
})
