import { assert, describe, it } from "@effect/vitest"
import { ClientError } from "@streamguard/client"
import { GuardError, ZombieRequestError } from "@streamguard/core"

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
      new ZombieRequestError.PoolTimeout(timeout),
      new ZombieRequestError.ConnectTimeout(timeout),
      new ZombieRequestError.WriteTimeout(timeout),
      new ZombieRequestError.HeadersTimeout(timeout),
      new ZombieRequestError.RequestTimeout(timeout)
    ]
    for (const error of batchErrors) assert.isTrue(ClientError.isBatchError(error), error._tag)
  })

  it("holds for no failure of a stream's content, nor for a look-alike that is no error of ours", () => {
    const others: ReadonlyArray<unknown> = [
      new ZombieRequestError.ChunkTimeout(timeout),
      new ZombieRequestError.TotalTimeout(timeout),
      new GuardError.UnexpectedEnd({ elapsedMillis: 0, chunks: 0 }),
      { _tag: "RequestTimeout", ...timeout },
      undefined
    ]
    for (const error of others) assert.isFalse(ClientError.isBatchError(error), JSON.stringify(error))
  })
})
