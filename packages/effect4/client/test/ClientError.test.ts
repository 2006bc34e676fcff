import { assert, describe, it } from "@effect/vitest"
import { ClientError } from "@streamguard/client"
import { GuardError, TimeoutError } from "@streamguard/core"

const timeout = {
  limitMillis: 1000,
  elapsedMillis: 1000,
  chunks: 0,
  sinceLastEventMillis: 1000,
  lastEvent: "none"
} as const

describe("ClientError.isBatchError", () => {
  it("holds for every failure a batch call can have", () => {
    const batchErrors = [
      new ClientError.UpstreamHttpError({ status: 503, bodyExcerpt: "" }),
      new ClientError.TransportError({ reason: "refused", stage: "request", detail: "" }),
      new TimeoutError.PoolTimeout(timeout),
      new TimeoutError.ConnectTimeout(timeout),
      new TimeoutError.WriteTimeout(timeout),
      new TimeoutError.HeadersTimeout(timeout),
      new TimeoutError.RequestTimeout(timeout)
    ]
    for (const error of batchErrors) assert.isTrue(ClientError.isBatchError(error), error._tag)
  })

  it("holds for no failure of a stream's content, nor for a look-alike that is no error of ours", () => {
    const others: ReadonlyArray<unknown> = [
      new TimeoutError.ChunkTimeout(timeout),
      new TimeoutError.TotalTimeout(timeout),
      new GuardError.UnexpectedEnd({ elapsedMillis: 0, chunks: 0 }),
      { _tag: "RequestTimeout", ...timeout },
      undefined
    ]
    for (const error of others) assert.isFalse(ClientError.isBatchError(error), JSON.stringify(error))
  })
})
