import { assert, describe, it } from "@effect/vitest"
import { Gateway } from "@streamguard/gateway"
import { Effect } from "effect"
import { existsSync, readFileSync } from "node:fs"
import { connect } from "node:net"
import type { Socket } from "node:net"
import { start } from "./GatewayUnderTest.js"
import * as RawHttp from "./RawHttp.js"

/** How many connections wait in the accept queue of the loopback listener on `port` (Linux). */
const acceptQueue = (port: number): number => {
  const hexPort = port.toString(16).toUpperCase().padStart(4, "0")
  for (const line of readFileSync("/proc/net/tcp", "utf8").split("\n")) {
    const fields = line.trim().split(/\s+/)
    // local address, state 0A (LISTEN), then tx_queue:rx_queue; a listener's rx_queue is its accept queue.
    if (fields[1]?.endsWith(`:${hexPort}`) && fields[3] === "0A") return parseInt(fields[4]!.split(":")[1]!, 16)
  }
  return -1
}

const somaxconn = existsSync("/proc/sys/net/core/somaxconn")
  ? Number(readFileSync("/proc/sys/net/core/somaxconn", "utf8"))
  : 0
const burst = 600
/** What a queue of Node's default backlog (511) holds at most. */
const defaultQueue = 512

describe("the listener", () => {
  it("asks for a listen backlog well over Node's default of 511", () => {
    assert.isAtLeast(Gateway.listenBacklog, 4096)
  })

  // Linux only, and only where the kernel allows a queue longer than the burst.
  it.live.skipIf(!existsSync("/proc/net/tcp") || somaxconn < burst)(
    "a burst of connections while the event loop is busy all wait in the accept queue, none dropped",
    () =>
      Effect.gen(function*() {
        const gateway = yield* start({ host: "127.0.0.1" })
        const port = RawHttp.portOf(gateway.url)
        const sockets: Array<Socket> = []
        yield* Effect.addFinalizer(() => Effect.sync(() => sockets.forEach((socket) => socket.destroy())))
        const queued = yield* Effect.callback<number>((resume) => {
          setImmediate(() => {
            for (let i = 0; i < burst; i++) sockets.push(connect(port, "127.0.0.1").on("error", () => {}))
            // The connects are issued on the next tick; then the loop stays busy, accepting nothing,
            // while the kernel completes the handshakes into the queue.
            setImmediate(() => {
              const deadline = Date.now() + 2_000
              let length = acceptQueue(port)
              while (length <= defaultQueue + 8 && Date.now() < deadline) length = acceptQueue(port)
              resume(Effect.succeed(length))
            })
          })
        })
        assert.isAbove(queued, defaultQueue + 8)
      })
  )
})
