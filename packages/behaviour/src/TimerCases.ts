/**
 * Every limit's exact millisecond, as a table: a scripted upstream, a policy, and how and when the
 * stream must end. The same rows run under the guard and under the client (over the in-memory
 * upstream), since a client's stream is its response's events guarded; the batch rows run under
 * the client's batch call only.
 *
 * @since 0.1.0
 */
import type { StreamOutcome } from "@streamguard/kernel/StreamOutcome"
import type { Case, Result, Via } from "./Driver.js"
import { answer, content, done, end, error, every, httpError, keepalive, reasoning, stall, wait } from "./Script.js"

/**
 * How a case must end.
 *
 * @since 0.1.0
 * @category models
 */
export interface Expected {
  readonly result: Result
  /** What the `StreamObserver` is told: a batch call is no stream, so it is told nothing of one. */
  readonly observed: StreamOutcome | undefined
  /** The millisecond the end is decided: the run ends then, never a millisecond earlier. */
  readonly atMillis: number
  /** Everything the consumer received. */
  readonly content: ReadonlyArray<string>
  /** What it had one millisecond before the end (default: `content`). */
  readonly contentBefore?: ReadonlyArray<string>
}

/**
 * One row: the behaviour it proves (the test's name), the ways it is reached, the case and its end.
 *
 * @since 0.1.0
 * @category models
 */
export interface TimerCase {
  readonly name: string
  readonly via: ReadonlyArray<Via>
  readonly case: Case
  readonly expected: Expected
}

const streams: ReadonlyArray<Via> = ["guard", "stream"]

const texts = (prefix: string, from: number, to: number): Array<string> =>
  Array.from({ length: to - from }, (_, i) => `${prefix}${from + i}`)

const failed = (outcome: StreamOutcome, atMillis: number, received: ReadonlyArray<string>): Expected => ({
  result: outcome,
  observed: outcome,
  atMillis,
  content: received
})

/** The behaviour table and the policy table, for streams: what ends a stream, and when. */
const streamRows: ReadonlyArray<TimerCase> = [
  {
    name: "done: the content before it, the stream ending at the done signal",
    via: streams,
    case: { upstream: answer(content("a"), wait(1000), content("b"), wait(1000), done), policy: { chunk: 30_000 } },
    expected: { result: "success", observed: "done", atMillis: 2000, content: ["a", "b"] }
  },
  {
    name: "error signal: fails the moment it arrives",
    via: streams,
    case: { upstream: answer(content("a"), wait(1000), error, content("never")), policy: { chunk: 30_000 } },
    expected: failed("error_signal", 1000, ["a"])
  },
  {
    name: "an upstream that ends without its done signal: unexpected_end when it ends",
    via: streams,
    case: { upstream: answer(content("a"), wait(1000), end), policy: { chunk: 30_000 } },
    expected: failed("unexpected_end", 1000, ["a"])
  },
  {
    name: "firstChunk: a silent start fails at the limit; a keepalive does not end it, and chunk does not apply yet",
    via: streams,
    case: { upstream: answer(wait(3000), keepalive, stall), policy: { firstChunk: 5000, chunk: 1000 } },
    expected: failed("first_chunk_timeout", 5000, [])
  },
  {
    name: "without firstChunk, chunk bounds the start",
    via: streams,
    case: { upstream: answer(stall), policy: { chunk: 2000 } },
    expected: failed("chunk_timeout", 2000, [])
  },
  {
    name: "chunk: any event resets it, a keepalive included; silence past it fails at the limit",
    via: streams,
    case: {
      upstream: answer(content("a"), wait(900), keepalive, wait(900), content("b"), stall),
      policy: { chunk: 1000 }
    },
    expected: failed("chunk_timeout", 2800, ["a", "b"])
  },
  {
    name: "chat: two gaps of 30 s - 1 ms pass under its 30 s chunk",
    via: streams,
    case: { upstream: answer(content("a"), wait(29_999), content("b"), wait(29_999), done), policy: "chat" },
    expected: { result: "success", observed: "done", atMillis: 59_998, content: ["a", "b"] }
  },
  {
    name: "chat: silence after three chunks fails at exactly 30 s",
    via: streams,
    case: { upstream: answer(content("a"), content("b"), content("c"), stall), policy: "chat" },
    expected: failed("chunk_timeout", 30_000, ["a", "b", "c"])
  },
  {
    name: "progress: keepalives keep chunk reset but not progress, which fails at the limit",
    via: streams,
    case: {
      upstream: answer(content("a"), every(500, 10, () => keepalive), stall),
      policy: { chunk: 1000, progress: 3000 }
    },
    expected: failed("progress_timeout", 3000, ["a"])
  },
  {
    name: "research: an upstream that only pings every 29 s ends at its 10-minute progress",
    via: streams,
    case: { upstream: answer(every(29_000, 25, () => keepalive), stall), policy: "research" },
    expected: failed("progress_timeout", 600_000, [])
  },
  {
    name: "total: fires in the middle of a steady stream",
    via: streams,
    case: {
      upstream: answer(every(1000, 10, (i) => content(`c${i}`)), done),
      policy: { chunk: 2000, total: 4500 }
    },
    expected: failed("total_timeout", 4500, texts("c", 0, 4))
  },
  {
    name: "total: fires on time when nothing at all arrives",
    via: streams,
    case: { upstream: answer(stall), policy: { total: 4000 } },
    expected: failed("total_timeout", 4000, [])
  },
  {
    name: "chat: a stream with content every 20 s ends at its 120 s total",
    via: streams,
    case: {
      upstream: answer(wait(5000), content("c0"), every(20_000, 10, (i) => content(`c${i + 1}`)), done),
      policy: "chat"
    },
    expected: failed("total_timeout", 120_000, texts("c", 0, 6))
  },
  {
    name: "request does not bound a stream: a stream longer than it completes",
    via: streams,
    case: {
      upstream: answer(every(1000, 5, (i) => content(`c${i}`)), wait(1000), done),
      policy: { request: 1000, chunk: 2000 }
    },
    expected: { result: "success", observed: "done", atMillis: 6000, content: texts("c", 0, 5) }
  }
]

/**
 * An event that arrives at exactly its limit's deadline is in time; one a millisecond later is late.
 * Under the `TestClock` the event and the deadline fall on the same instant: the rule, not the order
 * the clock wakes them in, decides.
 */
const tieRows: ReadonlyArray<TimerCase> = [
  {
    name: "firstChunk: content at exactly the limit is in time",
    via: streams,
    case: { upstream: answer(wait(1000), content("a"), wait(500), done), policy: { firstChunk: 1000 } },
    expected: { result: "success", observed: "done", atMillis: 1500, content: ["a"] }
  },
  {
    name: "firstChunk: content one millisecond past the limit is late",
    via: streams,
    case: { upstream: answer(wait(1001), content("a"), done), policy: { firstChunk: 1000 } },
    expected: failed("first_chunk_timeout", 1000, [])
  },
  {
    name: "chunk: gaps of exactly the limit are in time, the first and every later one",
    via: streams,
    case: {
      upstream: answer(content("a"), wait(1000), content("b"), wait(1000), keepalive, wait(1000), content("c"), stall),
      policy: { chunk: 1000 }
    },
    expected: failed("chunk_timeout", 4000, ["a", "b", "c"])
  },
  {
    name: "chunk: a gap one millisecond past the limit is late",
    via: streams,
    case: { upstream: answer(content("a"), wait(1001), content("b"), done), policy: { chunk: 1000 } },
    expected: failed("chunk_timeout", 1000, ["a"])
  },
  {
    name: "progress: content at exactly the limit is in time",
    via: streams,
    case: {
      upstream: answer(content("a"), wait(500), keepalive, wait(500), content("b"), stall),
      policy: { chunk: 600, progress: 1000 }
    },
    expected: failed("chunk_timeout", 1600, ["a", "b"])
  },
  {
    name: "total: the done signal at exactly the limit is in time",
    via: streams,
    case: { upstream: answer(every(1000, 3, (i) => content(`c${i}`)), done), policy: { chunk: 2000, total: 3000 } },
    expected: {
      result: "success",
      observed: "done",
      atMillis: 3000,
      content: texts("c", 0, 3),
      contentBefore: texts("c", 0, 2)
    }
  },
  {
    name: "total: the done signal one millisecond past the limit is late",
    via: streams,
    case: {
      upstream: answer(every(1000, 3, (i) => content(`c${i}`)), wait(1), done),
      policy: { chunk: 2000, total: 3000 }
    },
    expected: { ...failed("total_timeout", 3000, texts("c", 0, 3)), contentBefore: texts("c", 0, 2) }
  }
]

/** The limits on a stream's pace: reasoning and minRate. */
const paceRows: ReadonlyArray<TimerCase> = [
  {
    name: "reasoning: content that is only reasoning fails at the limit, though it keeps chunk and progress reset",
    via: streams,
    case: {
      upstream: answer(reasoning("r0"), every(700, 20, (i) => reasoning(`r${i + 1}`)), stall),
      policy: { chunk: 1000, progress: 2000, reasoning: 5000 }
    },
    expected: failed("reasoning_timeout", 5000, texts("r", 0, 8))
  },
  {
    name: "reasoning: counted from the first reasoning, not from the start",
    via: streams,
    case: {
      upstream: answer(keepalive, wait(2000), reasoning("r0"), every(700, 20, (i) => reasoning(`r${i + 1}`)), stall),
      policy: { chunk: 3000, reasoning: 5000 }
    },
    expected: failed("reasoning_timeout", 7000, texts("r", 0, 8))
  },
  {
    name: "reasoning: answer content before the limit ends its phase for good, even when reasoning comes back",
    via: streams,
    case: {
      upstream: answer(
        reasoning("r0"),
        wait(1000),
        reasoning("r1"),
        wait(1000),
        content("answer"),
        every(1000, 6, (i) => reasoning(`r${i + 2}`)),
        wait(1000),
        done
      ),
      policy: { chunk: 2000, reasoning: 5000 }
    },
    expected: {
      result: "success",
      observed: "done",
      atMillis: 9000,
      content: ["r0", "r1", "answer", ...texts("r", 2, 8)]
    }
  },
  {
    name: "minRate: content slower than the rate fails at the end of the first window short of it",
    via: streams,
    case: {
      upstream: answer(content("c0"), every(1000, 4, (i) => content(`c${i + 1}`)), stall),
      policy: { minRate: { events: 5, perMillis: 10_000 } }
    },
    expected: failed("slow_stream", 10_000, texts("c", 0, 5))
  },
  {
    name: "minRate: a window with enough content starts the next, which is judged on its own",
    via: streams,
    case: {
      upstream: answer(
        content("c0"),
        every(1000, 5, (i) => content(`c${i + 1}`)),
        wait(6000),
        content("c6"),
        wait(1000),
        content("c7"),
        stall
      ),
      policy: { minRate: { events: 5, perMillis: 10_000 } }
    },
    expected: failed("slow_stream", 20_000, texts("c", 0, 8))
  }
]

/** The ends that come from the consumer's side, and an HTTP error. */
const consumerRows: ReadonlyArray<TimerCase> = [
  {
    name: "the consumer taking only 2 values stops the stream when it has them",
    via: streams,
    case: {
      upstream: answer(content("a"), wait(1000), content("b"), wait(1000), content("c"), wait(1000), done),
      policy: { chunk: 30_000 },
      consumer: { _tag: "Take", count: 2 }
    },
    expected: {
      result: "success",
      observed: "consumer_stopped",
      atMillis: 1000,
      content: ["a", "b"],
      contentBefore: ["a"]
    }
  },
  {
    name: "interrupting the consumer ends the stream then",
    via: streams,
    case: {
      upstream: answer(content("a"), wait(1000), content("b"), wait(1000), content("c"), wait(1000), done),
      policy: { chunk: 30_000 },
      consumer: { _tag: "Interrupt", afterCount: 2 }
    },
    expected: { ...failed("interrupted", 1000, ["a", "b"]), contentBefore: ["a"] }
  },
  {
    name: "a non-2xx answer fails with upstream_http_error when it comes",
    via: ["stream"],
    case: { upstream: httpError(503, 1500), policy: { chunk: 30_000 } },
    expected: failed("upstream_http_error", 1500, [])
  }
]

/** A batch call's answer "Hello", whole at `atMillis`. A batch call is no stream: no observer is told of it. */
const batchAnswered = (atMillis: number): Expected => ({
  result: "success",
  observed: undefined,
  atMillis,
  content: ["Hello"],
  contentBefore: []
})

const batchFailed = (outcome: StreamOutcome, atMillis: number): Expected => ({
  ...failed(outcome, atMillis, []),
  observed: undefined
})

/** A batch (non-streamed) call: the whole answer, bounded by `request` and `headers`, not by the stream limits. */
const batchRows: ReadonlyArray<TimerCase> = [
  {
    name: "batch: the whole answer when it is complete",
    via: ["batch"],
    case: { upstream: answer(wait(2000), content("Hello"), done), policy: { request: 60_000 } },
    expected: batchAnswered(2000)
  },
  {
    name: "batch: an answer slower than request fails at the limit",
    via: ["batch"],
    case: { upstream: answer(wait(90_000), content("Hello"), done), policy: { request: 60_000 } },
    expected: batchFailed("request_timeout", 60_000)
  },
  {
    name: "batch: headers bounds the wait for the response, which comes only with the whole answer",
    via: ["batch"],
    case: { upstream: answer(wait(5000), content("Hello"), done), policy: { headers: 2000, request: 60_000 } },
    expected: batchFailed("headers_timeout", 2000)
  },
  {
    name: "batch: the stream limits do not apply to it",
    via: ["batch"],
    case: {
      upstream: answer(wait(45_000), content("Hello"), done),
      policy: { firstChunk: 10_000, chunk: 30_000, progress: 30_000, total: 40_000, request: 60_000 }
    },
    expected: batchAnswered(45_000)
  },
  {
    name: "batch: the batch profile's 60 s request",
    via: ["batch"],
    case: { upstream: answer(wait(61_000), content("Hello"), done), policy: "batch" },
    expected: batchFailed("request_timeout", 60_000)
  },
  {
    name: "batch: a non-2xx answer fails with upstream_http_error when it comes",
    via: ["batch"],
    case: { upstream: httpError(503, 1500), policy: { request: 60_000 } },
    expected: batchFailed("upstream_http_error", 1500)
  }
]

/**
 * Every row.
 *
 * @since 0.1.0
 * @category constants
 */
export const timerCases: ReadonlyArray<TimerCase> = [
  ...streamRows,
  ...tieRows,
  ...paceRows,
  ...consumerRows,
  ...batchRows
]
