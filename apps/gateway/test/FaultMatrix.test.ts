/**
 * The fault matrix: every upstream fault, on every proxied endpoint, streamed and not (where the
 * fault applies), through one gateway under a profile of short limits. Each case checks what the
 * client gets (the documented status and error type before the stream's first frame, or a 200
 * ending with exactly one in-band error event after it) and that the upstream's connection was
 * closed; after all cases, nothing is left in flight and no socket is left open.
 */
import { assert, describe, it } from "@effect/vitest"
import { ProfileConfig } from "@streamguard/core"
import { Config } from "@streamguard/gateway"
import { Scenario, ScenarioSpec, Step } from "@streamguard/simulator"
import { Effect, Schedule, Schema } from "effect"
import * as Faults from "./Faults.js"
import { inFlight, requestEnd, start } from "./GatewayUnderTest.js"

type Mode = "stream" | "batch"

/** What the client must get: a status and error type, in-band (after a 200) or as the answer's own. */
interface Expected {
  readonly status: number
  readonly type: string
  readonly inBand?: boolean
  readonly retryAfter?: boolean
}

interface Fault {
  readonly name: string
  /** The upstream that plays it: the simulator (with this model), the stalled body, or a refused port. */
  readonly upstream: { readonly sim: string; readonly header?: string } | "stalledBody" | "refused"
  /** Per mode it applies to; a mode left out does not apply. */
  readonly expect: Partial<Record<Mode, Expected>>
  /** How the simulator's record of the request must end; absent: any end, as long as it ended. */
  readonly upstreamEnd?: ReadonlyArray<string>
  /**
   * Whether the fault is about time. The others run under roomy limits: their answer must not
   * depend on how fast a loaded machine moves a megabyte or starts a connection.
   */
  readonly timed?: boolean
}

// The limits every case runs under: chunk catches silence (and, with no `headers` limit, a
// streamed request's wait for headers), progress a stream of pings alone, and request bounds a
// non-streamed call whole, its wait for headers included.
const limits = { connect: "1 second", chunk: "300 millis", progress: "900 millis", request: "600 millis" } as const
const roomy = { connect: "10 seconds", chunk: "10 seconds", progress: "20 seconds", request: "20 seconds" } as const

const profileOf = (fields: Record<string, string>) => Schema.decodeUnknownSync(ProfileConfig.ProfileEntry)(fields)

const timeout = (type: string): Expected => ({ status: 504, type })
const inBand = (type: string): Expected => ({ status: 200, type, inBand: true })

const faults: ReadonlyArray<Fault> = [
  {
    name: "slow headers",
    timed: true,
    upstream: { sim: "sim:slow-headers-10s" },
    expect: { stream: timeout("headers_timeout"), batch: timeout("request_timeout") },
    upstreamEnd: ["client_closed"]
  },
  {
    name: "stall mid-stream",
    timed: true,
    upstream: { sim: "sim:stall-after-2?gap=5ms" },
    // Not streamed, the simulator holds its answer until the whole would be written: never.
    expect: { stream: inBand("chunk_timeout"), batch: timeout("request_timeout") },
    upstreamEnd: ["client_closed"]
  },
  {
    name: "keepalive-only",
    timed: true,
    upstream: { sim: "sim:ping-only?interval=100ms" },
    expect: { stream: inBand("progress_timeout"), batch: timeout("request_timeout") },
    upstreamEnd: ["client_closed"]
  },
  {
    name: "reset mid-stream",
    upstream: { sim: "sim:reset-mid?after=2&gap=5ms" },
    expect: { stream: inBand("transport_error"), batch: { status: 502, type: "transport_error" } },
    upstreamEnd: ["reset"]
  },
  {
    name: "end without done",
    upstream: { sim: "sim:end-without-done?after=2&gap=5ms" },
    // A non-streamed body has no done signal: the gateway relays it as it came.
    expect: { stream: inBand("unexpected_end") }
  },
  {
    // Each byte 10 ms apart: no whole event within chunk, and partial frames are not events, so
    // the drip fails before the stream's first frame.
    name: "slow drip",
    timed: true,
    upstream: { sim: "sim:slow-drip?bytes=1&every=10ms&chunks=2" },
    expect: { stream: timeout("chunk_timeout") },
    upstreamEnd: ["client_closed"]
  },
  {
    name: "oversize event",
    upstream: { sim: "sim:huge-event?size=1100000" },
    expect: { stream: inBand("protocol_error") }
  },
  {
    name: "malformed frame",
    upstream: {
      sim: "sim:steady",
      header: ScenarioSpec.toHeader(
        Scenario.script([Step.chunk("a"), Step.raw("data: {not json\n\n"), Step.stallForever])
      )
    },
    expect: { stream: inBand("protocol_error") },
    upstreamEnd: ["client_closed"]
  },
  {
    name: "error event",
    upstream: { sim: "sim:error-mid?after=2&gap=5ms" },
    // Not streamed, the simulator answers the error as a 500.
    expect: { stream: inBand("error_signal"), batch: { status: 502, type: "upstream_http_error" } }
  },
  {
    name: "429 with retry-after",
    upstream: { sim: "sim:429" },
    expect: {
      stream: { status: 429, type: "upstream_http_error", retryAfter: true },
      batch: { status: 429, type: "upstream_http_error", retryAfter: true }
    }
  },
  {
    name: "500",
    upstream: { sim: "sim:500" },
    expect: {
      stream: { status: 502, type: "upstream_http_error" },
      batch: { status: 502, type: "upstream_http_error" }
    }
  },
  {
    name: "503 with retry-after",
    upstream: { sim: "sim:503" },
    expect: {
      stream: { status: 503, type: "upstream_http_error", retryAfter: true },
      batch: { status: 503, type: "upstream_http_error", retryAfter: true }
    }
  },
  {
    name: "refused connection",
    upstream: "refused",
    expect: { stream: { status: 502, type: "transport_error" }, batch: { status: 502, type: "transport_error" } }
  },
  {
    name: "headers, then a stalled body",
    timed: true,
    upstream: "stalledBody",
    // Streamed, the silence before the first frame is chunk's; not streamed, the call is request's.
    expect: { stream: timeout("chunk_timeout"), batch: timeout("request_timeout") }
  }
]

const endpoints = [
  { name: "chat completions", path: "/v1/chat/completions", body: { messages: [{ role: "user", content: "hi" }] } },
  { name: "Responses", path: "/v1/responses", body: { input: "hi" } },
  { name: "Messages", path: "/v1/messages", body: { max_tokens: 64, messages: [{ role: "user", content: "hi" }] } }
] as const

interface Case {
  readonly id: string
  readonly fault: Fault
  readonly endpoint: (typeof endpoints)[number]
  readonly mode: Mode
  readonly expected: Expected
}

const cases: ReadonlyArray<Case> = faults.flatMap((fault) =>
  endpoints.flatMap((endpoint) =>
    (["stream", "batch"] as const).flatMap((mode) => {
      const expected = fault.expect[mode]
      if (expected === undefined) return []
      const id = `${fault.name} / ${endpoint.name} / ${mode === "stream" ? "streamed" : "not streamed"}`
      return [{ id, fault, endpoint, mode, expected }]
    })
  )
)

describe("the fault matrix", () => {
  it.live(
    `${cases.length} cases: the documented answer, the upstream closed, nothing left behind`,
    () =>
      Effect.gen(function*() {
        const stalled = yield* Faults.stalledBody
        const refusedPort = yield* Faults.refusedPort
        const gateway = yield* start({
          profiles: { fault: profileOf(limits), roomy: profileOf(roomy) },
          defaultProfile: "fault"
        }, {
          moreUpstreams: [
            Config.Upstream.make({ name: "stalled", baseUrl: stalled.baseUrl, dialect: "any", models: ["stalled"] }),
            Config.Upstream.make({
              name: "refused",
              baseUrl: `http://127.0.0.1:${refusedPort}/v1`,
              dialect: "any",
              models: ["refused"]
            })
          ]
        })
        const port = (url: string) => Number(new URL(url).port)
        const open = () =>
          Faults.openSockets(port(gateway.url), [port(gateway.simulator.url), port(stalled.baseUrl), refusedPort])
        const baseline = open()

        const run = (c: Case) =>
          Effect.gen(function*() {
            const upstream = c.fault.upstream
            const model = upstream === "stalledBody" ? "stalled" : upstream === "refused" ? "refused" : upstream.sim
            const headers: Record<string, string> = {
              "x-request-id": c.id,
              "x-sim-request-id": c.id,
              "x-streamguard-profile": c.fault.timed === true ? "fault" : "roomy"
            }
            if (typeof upstream === "object" && upstream.header !== undefined) {
              headers["x-sim-scenario"] = upstream.header
            }
            const answer = yield* Faults.post(`${gateway.url}${c.endpoint.path}`, headers, {
              ...c.endpoint.body,
              model,
              stream: c.mode === "stream"
            })
            const problems: Array<string> = []
            const expected = c.expected
            if (answer.status !== expected.status) problems.push(`status ${answer.status}, expected ${expected.status}`)
            if (expected.inBand === true) {
              const errors = Faults.inBandErrors(answer.text)
              if (errors.types.length !== 1 || errors.types[0] !== expected.type || !errors.last) {
                problems.push(`in-band errors ${JSON.stringify(errors)}, expected one ${expected.type} at the end`)
              }
            } else {
              const type = Faults.bodyError(answer.text)
              if (type !== expected.type) problems.push(`error type ${type}, expected ${expected.type}`)
            }
            if (expected.retryAfter === true && answer.headers["retry-after"] === undefined) {
              problems.push("no retry-after")
            }
            // The upstream's connection is closed: the simulator saw the request end (its own end,
            // a reset, or the gateway closing it), the stalled upstream saw its socket close.
            if (typeof upstream === "object") {
              const record = yield* gateway.simulator.awaitFinished(c.id, { timeout: "3 seconds" }).pipe(
                Effect.orElseSucceed(() => undefined)
              )
              if (record === undefined) problems.push("the upstream request did not end")
              else if (c.fault.upstreamEnd !== undefined && !c.fault.upstreamEnd.includes(record.end)) {
                problems.push(`upstream end ${record.end}, expected ${c.fault.upstreamEnd.join(" or ")}`)
              }
            } else if (upstream === "stalledBody") {
              const closed = yield* Effect.timeoutOption(stalled.closed(c.id), "3 seconds")
              if (closed._tag === "None") problems.push("the upstream connection was not closed")
            }
            // One end line, written once the request let go of its slot.
            const line = yield* requestEnd(gateway, c.id)
            if (line["status"] !== answer.status) problems.push(`logged status ${line["status"]}`)
            return problems.length === 0 ? [] : [`${c.id}: ${problems.join("; ")}`]
          })

        const failures = (yield* Effect.forEach(cases, run, { concurrency: 6 })).flat()
        assert.deepStrictEqual(failures, [])
        assert.strictEqual(yield* inFlight(gateway), 0)
        // No connection of the gateway is left open: the last closes are processed a moment after
        // the answers (the peer's end arrives on a later turn of the event loop), and nothing
        // signals the last one, so this waits for the count, bounded.
        const settled = yield* Effect.sync(open).pipe(
          Effect.repeat({ schedule: Schedule.spaced("10 millis"), until: (open) => open <= baseline }),
          Effect.timeoutOption("3 seconds")
        )
        assert.isTrue(settled._tag === "Some", `open sockets ${open()}, baseline ${baseline}`)
      }),
    30_000
  )
})
