/**
 * The suite's witness of a close, checked on its own: a client that keeps its connection is not
 * taken for one that closed it, and one that destroys it is seen. Plain Node clients.
 */
import * as Http from "node:http"
import { assert, describe, it, onTestFinished } from "vitest"
import * as LiveUpstream from "../src/LiveUpstream.js"

/** POSTs to `url` and resolves with the response once its first bytes arrived, and the request. */
const firstBytes = (url: string) =>
  new Promise<{ readonly request: Http.ClientRequest; readonly text: string }>((resolve, reject) => {
    const request = Http.request(url, { method: "POST" }, (response) => {
      response.once("data", (data: Buffer) => resolve({ request, text: data.toString("utf8") }))
    })
    request.once("error", reject)
    request.end("{}")
  })

describe("LiveUpstream", () => {
  it("a connection the client holds open is not closed; once the client destroys it, the upstream sees it", async () => {
    const upstream = await LiveUpstream.start((exchange) => {
      LiveUpstream.eventStream(exchange)
      exchange.response.write(LiveUpstream.chunk("a"))
    })
    onTestFinished(() => upstream.close())
    const { request, text } = await LiveUpstream.within(firstBytes(upstream.url), 2000, "no answer came")
    assert.include(text, "\"content\":\"a\"")
    const exchange = await upstream.exchange(0)
    assert.isFalse(exchange.isClosed())
    request.destroy()
    const closedAt = await LiveUpstream.within(exchange.closed, 1000, "the close was not seen")
    assert.isTrue(exchange.isClosed())
    assert.isAtMost(closedAt, Date.now())
  })

  it("within resolves with the value, or rejects naming what did not happen by the deadline", async () => {
    assert.strictEqual(await LiveUpstream.within(Promise.resolve(7), 100, "no seven"), 7)
    const never = new Promise<never>(() => {})
    const error = await LiveUpstream.within(never, 20, "nothing came").catch((e: Error) => e)
    assert.instanceOf(error, Error)
    assert.strictEqual((error as Error).message, "nothing came within 20 ms")
  })
})
