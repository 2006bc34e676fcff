import * as Dispatch from "@streamguard/kernel/client/Dispatch"
import { type Answer, Exchange, type Face } from "@streamguard/kernel/client/Exchange"
import type { TransportFailure } from "@streamguard/kernel/client/TransportFailure"
import type { Control, Feed } from "@streamguard/kernel/Feed"
import type { Decoder } from "@streamguard/kernel/protocols/Dialect"
import { openaiChat } from "@streamguard/kernel/protocols/OpenAiChat"
import type { DecodeFailure } from "@streamguard/kernel/protocols/ProtocolError"
import { sse } from "@streamguard/kernel/protocols/Sse"
import type { StreamEvent } from "@streamguard/kernel/StreamEvent"
import * as Http from "node:http"
import type { AddressInfo } from "node:net"
import { Agent as Agent8 } from "undici"
import { Agent as Agent7 } from "undici7"
import { afterEach, assert, beforeEach, describe, it } from "vitest"

/** A failure as the test's line makes it: tagged data. */
type Failure =
  | { readonly _tag: "transport"; readonly failure: TransportFailure }
  | { readonly _tag: "decode"; readonly failure: DecodeFailure }

const errors = {
  transport: (failure: TransportFailure): Failure => ({ _tag: "transport", failure }),
  decode: (failure: DecodeFailure): Failure => ({ _tag: "decode", failure })
}

/** What the exchange told its feed, in order, and how it answered. */
interface Recorder {
  readonly feed: Feed<any, Failure>
  readonly log: Array<string>
  readonly events: Array<StreamEvent<any>>
  readonly failures: Array<Failure>
  readonly answers: Array<Answer>
  /** The first answer. */
  readonly answered: Promise<Answer>
  /** The stream's end or failure. */
  readonly ended: Promise<void>
  control: () => Control
  /** Whether the transport reads on after the `reads`-th read: `false` pauses it. */
  more: (reads: number) => boolean
}

const recorder = (): Recorder => {
  let answer!: (answer: Answer) => void
  let finish!: () => void
  let controls: Control | undefined
  let reads = 0
  const recorder: Recorder = {
    log: [],
    events: [],
    failures: [],
    answers: [],
    answered: new Promise((resolve) => answer = resolve),
    ended: new Promise((resolve) => finish = resolve),
    control: () => controls!,
    more: () => true,
    feed: {
      phase: (phase) => void recorder.log.push(`phase ${phase}`),
      opened: () => void recorder.log.push("opened"),
      events: (events) => {
        recorder.log.push(`read ${events.length}`)
        recorder.events.push(...events)
        return recorder.more(++reads)
      },
      end: () => {
        recorder.log.push("end")
        finish()
      },
      fail: (error) => {
        recorder.log.push("fail")
        recorder.failures.push(error)
        finish()
      },
      control: (control) => {
        controls = control
      },
      onClose: (f) => f(),
      closed: () => false,
      startedAt: 0
    }
  }
  const settle = (settled: Answer) => {
    recorder.answers.push(settled)
    answer(settled)
  }
  return Object.assign(recorder, { settle })
}

/** A loopback server whose handler each test sets, and the close of each connection it accepted. */
let server: Http.Server
let handle: (request: Http.IncomingMessage, response: Http.ServerResponse) => void
let socketsClosed: Array<Promise<void>>
let url: URL

beforeEach(async () => {
  socketsClosed = []
  server = Http.createServer((request, response) => handle(request, response))
  server.on("connection", (socket) => socketsClosed.push(new Promise((resolve) => socket.on("close", resolve))))
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  url = new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/chat`)
})

afterEach(async () => {
  server.closeAllConnections()
  await new Promise((resolve) => server.close(resolve))
})

/** The body the client sends: read whole before the server answers, as a provider does. */
const readBody = (request: Http.IncomingMessage): Promise<string> =>
  new Promise((resolve) => {
    let body = ""
    request.setEncoding("utf8")
    request.on("data", (piece) => body += piece)
    request.on("end", () => resolve(body))
  })

const deferred = <A>() => {
  let resolve!: (value: A) => void
  const promise = new Promise<A>((done) => resolve = done)
  return { promise, resolve }
}

const frame = (data: string) => `data: ${data}\n\n`

const faces: ReadonlyArray<
  {
    readonly name: string
    readonly face: Face
    readonly agent: () => Dispatch.Dispatcher & { destroy(): Promise<void> }
  }
> = [
  { name: "undici 7, the classic face", face: "classic", agent: () => new Agent7({ connect: { timeout: 0 } }) },
  { name: "undici 8, the controller face", face: "controller", agent: () => new Agent8({ connect: { timeout: 0 } }) }
]

describe.each(faces)("Exchange on $name", ({ agent: makeAgent, face }) => {
  let agent: ReturnType<typeof makeAgent>
  beforeEach(() => {
    agent = makeAgent()
  })
  afterEach(() => agent.destroy())

  const send = (
    recorded: Recorder,
    decoder: Decoder<any> | undefined,
    options: { readonly excerptWithinMillis?: number; readonly body?: Dispatch.Body; readonly to?: URL } = {}
  ): Exchange<any, Failure> => {
    const exchange = new Exchange<any, Failure>(
      recorded.feed,
      decoder,
      errors,
      options.excerptWithinMillis ?? 5000,
      (recorded as unknown as { settle: (answer: Answer) => void }).settle
    )
    exchange.dispatch(
      agent,
      Dispatch.options(options.to ?? url, "POST", { "content-type": "application/json" }, options.body ?? "{\"q\":1}"),
      face
    )
    return exchange
  }

  it("a 2xx stream: the phases in order, each read's events, the end; the attempt answered once, at the headers", async () => {
    const served = deferred<string>()
    handle = async (request, response) => {
      served.resolve(await readBody(request))
      response.writeHead(200, { "content-type": "text/event-stream" })
      response.write(frame("{\"n\":1}"))
      setImmediate(() => response.end(frame("{\"n\":2}") + frame("[DONE]")))
    }
    const recorded = recorder()
    const exchange = send(recorded, sse().decoder())
    assert.strictEqual(recorded.control(), exchange)
    assert.deepStrictEqual(await recorded.answered, { _tag: "Streaming" })
    await recorded.ended
    assert.strictEqual(await served.promise, "{\"q\":1}")
    const reads = recorded.log.filter((line) => line.startsWith("read"))
    assert.deepStrictEqual(
      recorded.log.filter((line) => !line.startsWith("read")),
      ["phase connect", "phase write", "phase headers", "opened", "end"]
    )
    assert.isAtLeast(reads.length, 1)
    assert.deepStrictEqual(
      recorded.events.map((event) => [event._tag, "value" in event ? event.value?.data : undefined]),
      [
        ["Chunk", "{\"n\":1}"],
        ["Chunk", "{\"n\":2}"],
        ["Done", "[DONE]"]
      ]
    )
    assert.strictEqual(recorded.answers.length, 1)
  })

  it("an HTTP error: its excerpt, retry-after and the provider's error once the body is whole JSON, and the connection dropped", async () => {
    handle = (_request, response) => {
      response.writeHead(429, { "content-type": "application/json", "retry-after": "2" })
      // The body is whole; the response is not ended: the exchange does not wait for the end.
      response.write(JSON.stringify({ error: { type: "rate_limit_exceeded", message: "slow down" } }))
    }
    const recorded = recorder()
    send(recorded, sse().decoder())
    assert.deepStrictEqual(await recorded.answered, {
      _tag: "HttpError",
      failure: {
        status: 429,
        bodyExcerpt: "{\"error\":{\"type\":\"rate_limit_exceeded\",\"message\":\"slow down\"}}",
        retryAfterMillis: 2000,
        providerErrorType: "rate_limit_exceeded",
        providerMessage: "slow down"
      }
    })
    await Promise.all(socketsClosed)
    assert.deepStrictEqual(recorded.log, ["phase connect", "phase write", "phase headers"])
    assert.strictEqual(recorded.answers.length, 1)
  })

  it("an error body that stalls is what arrived within excerptWithinMillis", async () => {
    handle = (_request, response) => {
      response.writeHead(503, { "content-type": "application/json" })
      response.write("{\"error\":")
    }
    const recorded = recorder()
    send(recorded, sse().decoder(), { excerptWithinMillis: 50 })
    assert.deepStrictEqual(await recorded.answered, {
      _tag: "HttpError",
      failure: { status: 503, bodyExcerpt: "{\"error\":" }
    })
    await Promise.all(socketsClosed)
  })

  it("without a decoder, a 2xx answer is read whole: status, headers in lower case with repeats joined, the text", async () => {
    handle = (_request, response) => {
      response.setHeader("X-Multi", ["1", "2"])
      response.writeHead(200, { "content-type": "application/json" })
      const bytes = Buffer.from("{\"text\":\"héllo\"}")
      // A character cut between two writes.
      response.write(bytes.subarray(0, 12))
      setImmediate(() => response.end(bytes.subarray(12)))
    }
    const recorded = recorder()
    send(recorded, undefined)
    const answer = await recorded.answered
    assert(answer._tag === "Body")
    assert.strictEqual(answer.status, 200)
    assert.strictEqual(answer.text, "{\"text\":\"héllo\"}")
    assert.strictEqual(answer.headers["x-multi"], "1, 2")
    assert.strictEqual(answer.headers["content-type"], "application/json")
    assert.deepStrictEqual(recorded.log, ["phase connect", "phase write", "phase headers"])
  })

  it("a refused connection fails the attempt before the response", async () => {
    const closed = Http.createServer()
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve))
    const port = (closed.address() as AddressInfo).port
    await new Promise((resolve) => closed.close(resolve))
    const recorded = recorder()
    send(recorded, sse().decoder(), { to: new URL(`http://127.0.0.1:${port}/v1/chat`) })
    const answer = await recorded.answered
    assert(answer._tag === "TransportFailure")
    assert.deepInclude(answer.failure, { reason: "refused", stage: "request", code: "ECONNREFUSED" })
    assert.deepStrictEqual(recorded.log, ["phase connect"])
  })

  it("abort from inside the read that fed it destroys the socket, and nothing more is told", async () => {
    handle = (_request, response) => {
      response.writeHead(200, { "content-type": "text/event-stream" })
      response.write(frame("{\"n\":1}"))
    }
    const recorded = recorder()
    recorded.more = () => {
      recorded.control().abort()
      return false
    }
    send(recorded, sse().decoder())
    await Promise.all([recorded.answered, new Promise((resolve) => setImmediate(resolve))])
    await Promise.all(socketsClosed)
    assert.deepStrictEqual(recorded.log, ["phase connect", "phase write", "phase headers", "opened", "read 1"])
    assert.deepStrictEqual(recorded.answers, [{ _tag: "Streaming" }])
  })

  it("a connection the upstream drops mid-stream fails the feed with a response-stage transport failure", async () => {
    handle = (_request, response) => {
      response.writeHead(200, { "content-type": "text/event-stream" })
      response.write(frame("{\"n\":1}"), () => response.socket?.destroy())
    }
    const recorded = recorder()
    send(recorded, sse().decoder())
    await recorded.ended
    assert.strictEqual(recorded.failures.length, 1)
    const failure = recorded.failures[0]!
    assert(failure._tag === "transport")
    assert.strictEqual(failure.failure.stage, "response")
    assert.strictEqual(recorded.log.at(-1), "fail")
  })

  it("bytes that do not follow the dialect fail the feed with the decode failure and stop reading", async () => {
    handle = (_request, response) => {
      response.writeHead(200, { "content-type": "text/event-stream" })
      response.write(frame("{not json"))
    }
    const recorded = recorder()
    send(recorded, openaiChat.decoder())
    await recorded.ended
    const failure = recorded.failures[0]!
    assert(failure._tag === "decode")
    assert.strictEqual(failure.failure._tag, "ProtocolError")
  })

  it("a read that pauses stops reading until resume, then the rest and the end arrive", async () => {
    const more = deferred<void>()
    const sent = deferred<void>()
    handle = (_request, response) => {
      response.writeHead(200, { "content-type": "text/event-stream" })
      response.write(frame("{\"n\":1}"))
      void more.promise.then(() => response.end(frame("{\"n\":2}") + frame("[DONE]"), () => sent.resolve()))
    }
    const recorded = recorder()
    recorded.more = (reads) => {
      if (reads === 1) more.resolve()
      return reads > 1
    }
    send(recorded, sse().decoder())
    await sent.promise
    // Only time can show that nothing is read: the server has sent everything and ended.
    await new Promise((resolve) => setTimeout(resolve, 100))
    assert.deepStrictEqual(recorded.events.length, 1)
    assert.notInclude(recorded.log, "end")
    recorded.control().resume!()
    await recorded.ended
    assert.deepStrictEqual(recorded.events.map((event) => event._tag), ["Chunk", "Chunk", "Done"])
    assert.strictEqual(recorded.log.at(-1), "end")
  })
})

describe("Exchange: why each undici gets its own face", () => {
  it("undici 7 adapts the controller face but never says the request was sent: the headers phase is not told", async () => {
    handle = (_request, response) => {
      response.writeHead(200, { "content-type": "text/event-stream" })
      response.end(frame("[DONE]"))
    }
    const agent = new Agent7()
    try {
      const recorded = recorder()
      new Exchange<any, Failure>(recorded.feed, sse().decoder(), errors, 5000, (recorded as any).settle)
        .dispatch(agent, Dispatch.options(url, "POST", {}, "{}"), "controller")
      await recorded.ended
      assert.deepStrictEqual(recorded.log, ["phase connect", "phase write", "opened", "read 1", "end"])
    } finally {
      await agent.destroy()
    }
  })

  it("undici 8 refuses the classic face at dispatch: the attempt fails as a request it could not send", async () => {
    const agent = new Agent8()
    try {
      const recorded = recorder()
      new Exchange<any, Failure>(recorded.feed, undefined, errors, 5000, (recorded as any).settle)
        .dispatch(agent, Dispatch.options(url, "GET", {}, null), "classic")
      const answer = await recorded.answered
      assert(answer._tag === "TransportFailure")
      assert.deepInclude(answer.failure, { reason: "invalid_request", stage: "request" })
    } finally {
      await agent.destroy()
    }
  })
})
