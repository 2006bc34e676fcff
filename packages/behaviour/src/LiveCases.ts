/**
 * The ends of a stream on real sockets, as a table: how the real upstream answers, the policy and
 * the consumer, and how the stream must end. After each, the upstream must see its connection
 * close.
 *
 * @since 0.1.0
 */
import type { StreamOutcome } from "@streamguard/kernel/StreamOutcome"
import type { Consumer, Result } from "./Driver.js"
import type { Exchange } from "./LiveUpstream.js"
import { chunk, done, drip, errorFrame, eventStream, keepalive } from "./LiveUpstream.js"
import type { Policy } from "./Policy.js"

/**
 * One row.
 *
 * @since 0.1.0
 * @category models
 */
export interface LiveCase {
  readonly name: string
  /** How the upstream answers: it never ends a response by itself, so only the client can close it. */
  readonly answer: (exchange: Exchange) => void
  readonly policy: Policy
  readonly consumer: Consumer
  readonly expected: {
    readonly result: Result
    readonly observed: StreamOutcome
    readonly content: ReadonlyArray<string>
  }
}

const drain: Consumer = { _tag: "Drain" }

/** Content "0", "1", ... every 5 ms, until the client hangs up. */
const steady = (exchange: Exchange) => {
  eventStream(exchange)
  drip(exchange, 5, (n) => chunk(String(n)))
}

/**
 * Every row.
 *
 * @since 0.1.0
 * @category constants
 */
export const liveCases: ReadonlyArray<LiveCase> = [
  {
    name: "done: the content, and the connection the upstream left open is closed",
    answer: (exchange) => {
      eventStream(exchange)
      exchange.response.write(chunk("a") + chunk("b") + done)
    },
    policy: { chunk: 5000 },
    consumer: drain,
    expected: { result: "success", observed: "done", content: ["a", "b"] }
  },
  {
    name: "an in-band error: error_signal, and the upstream still pinging is closed",
    answer: (exchange) => {
      eventStream(exchange)
      exchange.response.write(chunk("a") + errorFrame)
      drip(exchange, 10, () => keepalive)
    },
    policy: { chunk: 5000 },
    consumer: drain,
    expected: { result: "error_signal", observed: "error_signal", content: ["a"] }
  },
  {
    name: "a chunk timeout of 200 ms: chunk_timeout, and the silent upstream is closed",
    answer: (exchange) => {
      eventStream(exchange)
      exchange.response.write(chunk("a"))
    },
    // firstChunk keeps a slow start on a loaded machine from counting against the short chunk limit.
    policy: { firstChunk: 5000, chunk: 200 },
    consumer: drain,
    expected: { result: "chunk_timeout", observed: "chunk_timeout", content: ["a"] }
  },
  {
    name: "the consumer taking only 2 chunks: consumer_stopped, and the upstream still generating is closed",
    answer: steady,
    policy: { chunk: 5000 },
    consumer: { _tag: "Take", count: 2 },
    expected: { result: "success", observed: "consumer_stopped", content: ["0", "1"] }
  },
  {
    name: "interruption: interrupted, and the upstream still generating is closed",
    answer: steady,
    policy: { chunk: 5000 },
    consumer: { _tag: "Interrupt", afterCount: 2 },
    expected: { result: "interrupted", observed: "interrupted", content: ["0", "1"] }
  },
  {
    name: "a non-2xx answer: upstream_http_error, and its open body is closed",
    answer: (exchange) => {
      exchange.response.writeHead(503, { "content-type": "application/json" })
      exchange.response.write(JSON.stringify({ error: { type: "overloaded", message: "try later" } }))
      drip(exchange, 10, () => " ")
    },
    policy: { chunk: 5000 },
    consumer: drain,
    expected: { result: "upstream_http_error", observed: "upstream_http_error", content: [] }
  }
]
