import { assert, describe, it } from "@effect/vitest"
import { errors } from "undici"
import { classOf, outcomeOf } from "../../src/soak/SoakErrors.js"

// A Node system error as `net` raises it: message, code, errno and syscall.
const system = (code: string, errno: number, syscall = "connect") =>
  Object.assign(new Error(`${syscall} ${code} 127.0.0.1:8080`), { code, errno, syscall })

describe("SoakErrors", () => {
  it("names each socket error by its code, whether Node raises it or undici wraps it", () => {
    assert.strictEqual(outcomeOf(system("ECONNRESET", -104, "read")), "socket:ECONNRESET")
    assert.strictEqual(outcomeOf(system("EPIPE", -32, "write")), "socket:EPIPE")
    assert.strictEqual(outcomeOf(system("ETIMEDOUT", -110)), "socket:ETIMEDOUT")
    assert.strictEqual(outcomeOf(system("ECONNREFUSED", -111)), "socket:ECONNREFUSED")
    assert.strictEqual(outcomeOf(system("EADDRNOTAVAIL", -99)), "socket:EADDRNOTAVAIL")
    const wrapped = Object.assign(new errors.SocketError("other side closed"), { cause: system("ECONNRESET", -104) })
    assert.strictEqual(outcomeOf(wrapped), "socket:ECONNRESET")
  })

  it("reports descriptor exhaustion as itself, in a class of its own, whatever the syscall", () => {
    assert.strictEqual(outcomeOf(system("EMFILE", -24)), "descriptors:EMFILE")
    assert.strictEqual(outcomeOf(system("ENFILE", -23, "accept")), "descriptors:ENFILE")
    // A module loaded lazily at the first connection (undici's parser) fails the same way.
    const open = Object.assign(new Error("EMFILE: too many open files, open 'llhttp-wasm.js'"), {
      code: "EMFILE",
      syscall: "open"
    })
    assert.strictEqual(outcomeOf(open), "descriptors:EMFILE")
    assert.strictEqual(classOf(outcomeOf(open)), "descriptors")
  })

  it("a connection the peer closed without a reset is socket:closed", () => {
    assert.strictEqual(outcomeOf(new errors.SocketError("other side closed")), "socket:closed")
  })

  it("finds the root cause in an AggregateError and through a cycle of causes", () => {
    const aggregate = new AggregateError([system("ECONNREFUSED", -111), system("ECONNREFUSED", -111)], "connect")
    assert.strictEqual(outcomeOf(aggregate), "socket:ECONNREFUSED")
    const a: { code: string; cause?: unknown } = { code: "UND_ERR_SOCKET" }
    a.cause = { cause: a }
    assert.strictEqual(outcomeOf(a), "socket:closed")
  })

  it("tells the client's own limits and aborts from socket errors", () => {
    assert.strictEqual(outcomeOf(new errors.BodyTimeoutError()), "client:UND_ERR_BODY_TIMEOUT")
    assert.strictEqual(outcomeOf(new errors.HeadersTimeoutError()), "client:UND_ERR_HEADERS_TIMEOUT")
    assert.strictEqual(outcomeOf(new errors.ConnectTimeoutError()), "client:UND_ERR_CONNECT_TIMEOUT")
    assert.strictEqual(outcomeOf(new errors.RequestAbortedError()), "client:aborted")
    assert.strictEqual(outcomeOf(new DOMException("This operation was aborted", "AbortError")), "client:aborted")
  })

  it("labels anything else, thrown values that are no errors included", () => {
    assert.strictEqual(outcomeOf(new TypeError("x")), "client:TypeError")
    assert.strictEqual(outcomeOf("boom"), "client:string")
    assert.strictEqual(outcomeOf(undefined), "client:undefined")
  })

  it("classes every outcome label", () => {
    assert.strictEqual(classOf("socket:ECONNRESET"), "socket")
    assert.strictEqual(classOf("client:UND_ERR_BODY_TIMEOUT"), "client")
    assert.strictEqual(classOf("http_503"), "http")
    assert.strictEqual(classOf("inband:chunk_timeout"), "inband")
    assert.strictEqual(classOf("uncaught:socket:EPIPE"), "uncaught")
    assert.strictEqual(classOf("unexpected_end"), "unexpected_end")
  })
})
