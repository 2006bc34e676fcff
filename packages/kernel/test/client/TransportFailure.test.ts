import * as TransportFailure from "@streamguard/kernel/client/TransportFailure"
import { assert, describe, it } from "vitest"

const coded = (code: string, message = code, cause?: unknown) => Object.assign(new Error(message, { cause }), { code })

describe("TransportFailure.fromCause", () => {
  it("names the reason of the most specific known code in the cause chain", () => {
    const wrapped = coded("UND_ERR_SOCKET", "other side closed", coded("ECONNRESET", "read ECONNRESET"))
    assert.deepStrictEqual(TransportFailure.fromCause(wrapped, "response"), {
      reason: "reset",
      stage: "response",
      code: "ECONNRESET",
      detail: "read ECONNRESET"
    })
  })

  it("looks into an AggregateError's first error (a refused dual-stack connect)", () => {
    const aggregate = Object.assign(new AggregateError([coded("ECONNREFUSED", "connect ECONNREFUSED ::1:1")]), {
      code: "ECONNREFUSED"
    })
    assert.deepInclude(TransportFailure.fromCause(aggregate, "request"), { reason: "refused", code: "ECONNREFUSED" })
  })

  it("keeps an unknown code as other; without a code, closed while streaming, else other", () => {
    assert.deepInclude(TransportFailure.fromCause(coded("EWHATEVER"), "request"), {
      reason: "other",
      code: "EWHATEVER"
    })
    assert.deepStrictEqual(TransportFailure.fromCause(new Error("gone"), "response"), {
      reason: "closed",
      stage: "response",
      detail: "gone"
    })
    assert.deepStrictEqual(TransportFailure.fromCause("odd", "request"), {
      reason: "other",
      stage: "request",
      detail: "odd"
    })
  })

  it("a request that cannot be sent is invalid_request", () => {
    assert.deepStrictEqual(TransportFailure.invalidRequest("bad URL"), {
      reason: "invalid_request",
      stage: "request",
      detail: "bad URL"
    })
  })
})
