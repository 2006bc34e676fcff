import { assert, describe, it } from "@effect/vitest"
import { GuardError, TimeoutError } from "@streamguard/core"

const aborted = { reason: "the gateway is shutting down", elapsedMillis: 10, chunks: 2 }

describe("GuardError guards", () => {
  it("isStreamAborted holds for a stream stopped by its abort signal, and for nothing else", () => {
    assert.isTrue(GuardError.isStreamAborted(new GuardError.StreamAborted(aborted)))
    assert.isFalse(GuardError.isStreamAborted(new GuardError.UnexpectedEnd({ elapsedMillis: 10, chunks: 2 })))
    assert.isFalse(GuardError.isStreamAborted({ _tag: "StreamAborted", ...aborted }))
    assert.isFalse(GuardError.isStreamAborted(null))
  })

  it("isGuardError holds for what guard adds to a stream's errors, not for a phase timeout", () => {
    assert.isTrue(GuardError.isGuardError(new GuardError.StreamAborted(aborted)))
    assert.isFalse(GuardError.isGuardError(
      new TimeoutError.ConnectTimeout({
        limitMillis: 1,
        elapsedMillis: 1,
        chunks: 0,
        sinceLastEventMillis: 1,
        lastEvent: "none"
      })
    ))
  })
})
