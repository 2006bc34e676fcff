import * as Dispatch from "@streamguard/kernel/client/Dispatch"
import { type Answer, Exchange, type Face } from "@streamguard/kernel/client/Exchange"
import type { TransportFailure } from "@streamguard/kernel/client/TransportFailure"
import * as Clock from "@streamguard/kernel/Clock"
import * as Deadlines from "@streamguard/kernel/Deadlines"
import type { Control, Feed } from "@streamguard/kernel/Feed"
import { GuardedStream } from "@streamguard/kernel/GuardedStream"
import * as Limits from "@streamguard/kernel/Limits"
import type * as Policy from "@streamguard/kernel/Policy"
import type { DecodeFailure } from "@streamguard/kernel/protocols/ProtocolError"
import { sse, type SseMessage } from "@streamguard/kernel/protocols/Sse"
import { done, type Ending } from "@streamguard/kernel/StreamTiming"
import * as Http from "node:http"
import type { AddressInfo } from "node:net"
import { Agent as Agent8 } from "undici"
import { Agent as Agent7 } from "undici7"
import { afterEach, assert, beforeEach, describe, it } from "vitest"
import { errors as guardErrors, type TestError } from "../fixtures/Engine.js"

/**
 * The kernel alone as a guarded client: the engine on the system clock, fed by an Exchange over a
 * real socket. What each line's stream adds is the pull; here a plain consumer drives it.
 */

type Failure = TestError | { readonly _tag: "transport"; readonly failure: TransportFailure | DecodeFailure }

const exchangeErrors = {
  transport: (failure: TransportFailure): Failure => ({ _tag: "transport", failure }),
  decode: (failure: DecodeFailure): Failure => ({ _tag: "transport", failure })
}

let server: Http.Server
let handle: (response: Http.ServerResponse) => void
let socketsClosed: Array<Promise<void>>
let url: URL

beforeEach(async () => {
  socketsClosed = []
  server = Http.createServer((_request, response) => handle(response))
  server.on("connection", (socket) => socketsClosed.push(new Promise((resolve) => socket.on("close", resolve))))
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  url = new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/chat`)
})

afterEach(async () => {
  server.closeAllConnections()
  await new Promise((resolve) => server.close(resolve))
})

/** One guarded stream of `sse()` content over an exchange: what the transport was told, and its consumer. */
const open = (agent: Dispatch.Dispatcher, face: Face, policy: Policy.Policy) => {
  const told: Array<string> = []
  const state = new GuardedStream<SseMessage, SseMessage, Failure, TestError>(
    Deadlines.forClock(Clock.system),
    Limits.limitsOf(policy, "stream"),
    "content",
    undefined,
    undefined,
    guardErrors,
    false
  )
  const paused = deferred<void>()
  // The feed is the state, with the transport's controls recorded on their way.
  const feed: Feed<SseMessage, Failure> = {
    phase: (phase) => state.phase(phase),
    opened: () => state.opened(),
    events: (events) => state.events(events),
    end: () => state.end(),
    fail: (error) => state.fail(error),
    control: (control) => state.control(control === undefined ? undefined : recorded(control, told, paused.resolve)),
    onClose: (f) => state.onClose(f),
    closed: () => state.closed(),
    startedAt: state.startedAt
  }
  const answers: Array<Answer> = []
  new Exchange(feed, sse().decoder(), exchangeErrors, 5000, (answer) => answers.push(answer)).dispatch(
    agent,
    Dispatch.options(url, "POST", {}, "{}"),
    face
  )
  return { state, told, answers, paused: paused.promise }
}

const deferred = <A>() => {
  let resolve!: (value: A) => void
  const promise = new Promise<A>((done) => resolve = done)
  return { promise, resolve }
}

const recorded = (control: Control, told: Array<string>, onPause: () => void): Control => ({
  abort: () => {
    told.push("abort")
    control.abort()
  },
  pause: () => {
    told.push("pause")
    control.pause?.()
    onPause()
  },
  resume: () => {
    told.push("resume")
    control.resume?.()
  },
  release: () => {
    told.push("release")
    control.release?.()
  }
})

/** Pulls as a line's stream does until the end: everything buffered, or the end, or a wait. */
const consume = <B>(
  state: GuardedStream<any, B, any, any>
): Promise<{ readonly got: Array<B>; readonly end: Ending }> =>
  new Promise((resolve) => {
    const got: Array<B> = []
    const pull = (): void => {
      const items = state.take()
      if (items !== undefined) {
        got.push(...items)
        return pull()
      }
      const end = state.ending()
      if (end === undefined) return state.wait(pull)
      state.closeTransport()
      state.release()
      state.finish()
      resolve({ got, end })
    }
    pull()
  })

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

describe.each(faces)("the kernel's engine fed by an Exchange, on $name", ({ agent: makeAgent, face }) => {
  let agent: ReturnType<typeof makeAgent>
  beforeEach(() => {
    agent = makeAgent()
  })
  afterEach(() => agent.destroy())

  it("a silent upstream fails at its chunk limit; the socket is destroyed and the server sees the close", async () => {
    handle = (response) => {
      response.writeHead(200, { "content-type": "text/event-stream" })
      response.write("data: {\"n\":1}\n\n")
    }
    const stream = open(agent, face, { chunk: 100 })
    const { end, got } = await consume(stream.state)
    assert.deepStrictEqual(got.map((message) => message.data), ["{\"n\":1}"])
    assert(end !== done)
    assert.strictEqual((end.error as TestError)._tag, "ChunkTimeout")
    await Promise.all(socketsClosed)
    // Aborted at the decision (and again as the consumer closes: the exchange ignores it).
    assert.deepStrictEqual([...new Set(stream.told)], ["abort"])
    assert.deepStrictEqual(stream.answers, [{ _tag: "Streaming" }])
  })

  it("past the high-water mark the socket is paused until the consumer takes the buffer, then the stream reads on to its end", async () => {
    const frames = 2000
    const last = deferred<void>()
    handle = (response) => {
      response.writeHead(200, { "content-type": "text/event-stream" })
      let body = ""
      for (let n = 0; n < frames; n++) body += `data: {"n":${n}}\n\n`
      response.write(body)
      void last.promise.then(() => response.end("data: [DONE]\n\n"))
    }
    const stream = open(agent, face, { chunk: 10_000 })
    // The consumer pulls only once the transport was paused; the upstream ends after that.
    await stream.paused
    last.resolve()
    const { end, got } = await consume(stream.state)
    assert.strictEqual(end, done)
    assert.strictEqual(got.length, frames)
    assert.deepStrictEqual(got.slice(0, 2).map((message) => message.data), ["{\"n\":0}", "{\"n\":1}"])
    assert.deepStrictEqual(stream.told.slice(0, 2), ["pause", "resume"])
  })
})
