import { assert, describe, it } from "@effect/vitest"
import { LlmClient } from "@streamguard/client"
import { RequestProfile, StreamObserver, TimeoutPolicy } from "@streamguard/core"
import { Dialects } from "@streamguard/protocols"
import { Deferred, Effect, Fiber, Layer, ManagedRuntime, Result, Schedule, Stream } from "effect"
import type { Duration, Scope } from "effect"
import { HttpClientRequest } from "effect/http"
import { TestClock } from "effect/testing"
import * as ChildProcess from "node:child_process"
import * as Net from "node:net"
import { checkNoLeaks } from "./support/leaks.js"
import type { Exchange } from "./support/upstream.js"
import { chunk, closedWithin, done, drip, isClosed, keepalive, sseHead, upstream } from "./support/upstream.js"

const dialect = Dialects.openaiChat

/** An observer that remembers what it was told. */
const recorder = () => {
  const started: Array<StreamObserver.StreamInfo> = []
  const ended: Array<StreamObserver.Ended> = []
  const retrying: Array<StreamObserver.Retrying> = []
  const layer = Layer.succeed(StreamObserver.StreamObserver, {
    ...StreamObserver.noopService,
    started: (info) => Effect.sync(() => void started.push(info)),
    ended: (_, e) => Effect.sync(() => void ended.push(e)),
    retrying: (_, r) => Effect.sync(() => void retrying.push(r))
  })
  return { started, ended, retrying, layer }
}

const profile = (fields: Parameters<typeof TimeoutPolicy.unsafeMake>[0]) =>
  RequestProfile.layer("test", TimeoutPolicy.unsafeMake(fields))

const post = (url: string) =>
  HttpClientRequest.post(`${url}/v1/chat/completions`).pipe(
    HttpClientRequest.bodyJsonUnsafe({ model: "m", stream: true, messages: [] })
  )

const text = (chunks: ReadonlyArray<{ readonly choices?: ReadonlyArray<unknown> }>) =>
  chunks.map((c) => dialect.text(c as never) ?? "").join("")

/** One client (one undici agent) for the whole file, as an application would hold it. */
const runtime = ManagedRuntime.make(LlmClient.layerUndici())

/** Provides the file's one client. */
const client = <A, E, R>(effect: Effect.Effect<A, E, R>) =>
  Effect.flatMap(runtime.contextEffect, (context) => Effect.provide(effect, context))

// No leaks: with the agent destroyed and every test's server closed, nothing of ours is left.
checkNoLeaks(() => runtime.dispose())

/** Runs a stream against the client; fails the test if it hangs. */
const run = <A, E>(
  stream: Stream.Stream<A, E, LlmClient.LlmClient | RequestProfile.RequestProfile>,
  policy: Parameters<typeof TimeoutPolicy.unsafeMake>[0],
  observer: ReturnType<typeof recorder>
) =>
  Stream.runCollect(stream).pipe(
    Effect.timeout("5 seconds"),
    Effect.provide(Layer.mergeAll(profile(policy), observer.layer)),
    client
  )

const now = Effect.sync(() => Date.now())

/**
 * A listening socket that never accepts: a child process listens with backlog 1 and then blocks
 * its event loop, so the kernel queues at most two connections and drops the rest's SYNs.
 */
const fullListener = Effect.acquireRelease(
  Effect.callback<{ child: ChildProcess.ChildProcess; port: number }>((resume) => {
    const child = ChildProcess.spawn(process.execPath, [
      "-e",
      `const s = require("node:net").createServer().listen({ port: 0, host: "127.0.0.1", backlog: 1 }, () => {
        require("node:fs").writeSync(1, s.address().port + "\\n")
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0)
      })`
    ], { stdio: ["ignore", "pipe", "inherit"] })
    child.stdout!.once("data", (data) => resume(Effect.succeed({ child, port: Number(String(data).trim()) })))
  }).pipe(Effect.timeout("5 seconds"), Effect.orDie),
  ({ child }) =>
    Effect.callback<void>((resume) => {
      child.once("exit", () => resume(Effect.void))
      child.kill("SIGKILL")
    })
).pipe(Effect.map(({ port }) => port))

/**
 * A real-socket, real-time test. Server and client share one event loop on a machine other jobs
 * load too: its time bounds are generous (a close within 250 ms of the decision, where a quiet
 * machine sees a few), and it is never retried. A broken close fails it: the server never sees it.
 */
const live = (name: string, self: () => Effect.Effect<void, unknown, Scope.Scope>) => it.live(name, self)

describe("LlmClient.stream: the behaviour table on real sockets", () => {
  live("done: yields the content and closes a connection the server left open", () =>
    Effect.gen(function*() {
      const server = yield* upstream((x) => {
        sseHead(x)
        x.response.write(chunk("a") + chunk("b") + chunk("c") + done)
      })
      const seen = recorder()
      const out = yield* run(LlmClient.stream(post(server.url), { dialect }), { chunk: "1 second" }, seen)
      assert.strictEqual(text(out), "abc")
      yield* closedWithin(yield* server.exchange(0))
      assert.strictEqual(seen.ended[0]?.outcome, "done")
    }))

  live(
    "done: a response the server ended with its done frame keeps its connection for reuse",
    () =>
      Effect.gen(function*() {
        const server = yield* upstream((x) => {
          sseHead(x)
          x.response.end(chunk("a") + done)
        })
        const seen = recorder()
        const out = yield* run(LlmClient.stream(post(server.url), { dialect }), { chunk: "1 second" }, seen)
        assert.strictEqual(text(out), "a")
        // A second exchange ends after the first was released: the first socket is still open then,
        // in undici's pool (or carrying the second), where a destroyed one would have closed at once.
        yield* run(LlmClient.stream(post(server.url), { dialect }), { chunk: "1 second" }, seen)
        assert.isFalse(yield* isClosed(yield* server.exchange(0)))
        assert.deepStrictEqual(seen.ended.map((e) => e.outcome), ["done", "done"])
      })
  )

  live("error_signal: fails with UpstreamErrorSignal and closes the connection", () =>
    Effect.gen(function*() {
      const server = yield* upstream((x) => {
        sseHead(x)
        x.response.write(chunk("a") + `data: {"error":{"type":"server_error","message":"boom"}}\n\n`)
        drip(x, 10, () => keepalive)
      })
      const seen = recorder()
      const error = yield* run(LlmClient.stream(post(server.url), { dialect }), { chunk: "1 second" }, seen).pipe(
        Effect.flip
      )
      assert.strictEqual(error._tag, "UpstreamErrorSignal")
      yield* closedWithin(yield* server.exchange(0))
      assert.strictEqual(seen.ended[0]?.outcome, "error_signal")
    }))

  live("first_chunk_timeout: a silent start past firstChunk fails and closes", () =>
    Effect.gen(function*() {
      const server = yield* upstream((x) => sseHead(x))
      const seen = recorder()
      const error = yield* run(LlmClient.stream(post(server.url), { dialect }), { firstChunk: "300 millis" }, seen)
        .pipe(Effect.flip)
      assert.strictEqual(error._tag, "FirstChunkTimeout")
      yield* closedWithin(yield* server.exchange(0))
      assert.strictEqual(seen.ended[0]?.outcome, "first_chunk_timeout")
    }))

  live(
    "chunk_timeout: a stream that goes silent mid-way fails and the server sees the close",
    () =>
      Effect.gen(function*() {
        const server = yield* upstream((x) => {
          sseHead(x)
          x.response.write(chunk("a"))
        })
        const seen = recorder()
        // firstChunk keeps a slow start (a loaded machine) from counting against the chunk limit.
        const error = yield* run(
          LlmClient.stream(post(server.url), { dialect }),
          { firstChunk: "2 seconds", chunk: "100 millis" },
          seen
        ).pipe(
          Effect.flip
        )
        assert.strictEqual(error._tag, "ChunkTimeout")
        const closedAt = yield* closedWithin(yield* server.exchange(0), "1 second")
        // The decision's moment on the guard's own clock (live here: Date.now), not when the error
        // surfaced: the guard closes the upstream before the consumer sees the failure.
        const decidedAt = (seen.started[0]?.startedAt ?? NaN) +
          (error._tag === "ChunkTimeout" ? error.elapsedMillis : NaN)
        assert.isAtLeast(closedAt - decidedAt, 0, "closed before the timeout fired")
        assert.isAtMost(closedAt - decidedAt, 250, "closed more than 250 ms after the timeout fired")
        assert.strictEqual(seen.ended[0]?.outcome, "chunk_timeout")
      })
  )

  live(
    "progress_timeout: keepalives alone do not count as progress; the server stops dripping",
    () =>
      Effect.gen(function*() {
        let exchange: Exchange | undefined
        const server = yield* upstream((x) => {
          exchange = x
          sseHead(x)
          x.response.write(chunk("a"))
          drip(x, 10, () => keepalive)
        })
        const seen = recorder()
        const error = yield* run(
          LlmClient.stream(post(server.url), { dialect }),
          { chunk: "1 second", progress: "150 millis" },
          seen
        ).pipe(Effect.flip)
        assert.strictEqual(error._tag, "ProgressTimeout")
        yield* closedWithin(yield* server.exchange(0))
        const written = exchange!.written
        yield* Effect.sleep("40 millis")
        assert.strictEqual(exchange!.written, written, "the server kept writing after the close")
        assert.strictEqual(seen.ended[0]?.outcome, "progress_timeout")
      })
  )

  live("total_timeout: fires in the middle of a steady stream and closes it", () =>
    Effect.gen(function*() {
      const server = yield* upstream((x) => {
        sseHead(x)
        drip(x, 10, (n) => chunk(String(n % 10)))
      })
      const seen = recorder()
      const error = yield* run(
        LlmClient.stream(post(server.url), { dialect }),
        { total: "200 millis" },
        seen
      ).pipe(Effect.flip)
      assert.strictEqual(error._tag, "TotalTimeout")
      yield* closedWithin(yield* server.exchange(0))
      assert.strictEqual(seen.ended[0]?.outcome, "total_timeout")
    }))

  live("unexpected_end: the server ending without [DONE] fails with UnexpectedEnd", () =>
    Effect.gen(function*() {
      const server = yield* upstream((x) => {
        sseHead(x)
        x.response.end(chunk("a"))
      })
      const seen = recorder()
      const error = yield* run(LlmClient.stream(post(server.url), { dialect }), { chunk: "1 second" }, seen).pipe(
        Effect.flip
      )
      assert.strictEqual(error._tag, "UnexpectedEnd")
      assert.strictEqual(seen.ended[0]?.outcome, "unexpected_end")
    }))

  live("protocol_error: bad JSON fails with ProtocolError and closes the connection", () =>
    Effect.gen(function*() {
      const server = yield* upstream((x) => {
        sseHead(x)
        x.response.write("data: {not json\n\n")
        drip(x, 10, () => keepalive)
      })
      const seen = recorder()
      const error = yield* run(LlmClient.stream(post(server.url), { dialect }), { chunk: "1 second" }, seen).pipe(
        Effect.flip
      )
      assert.strictEqual(error._tag, "ProtocolError")
      yield* closedWithin(yield* server.exchange(0))
      assert.strictEqual(seen.ended[0]?.outcome, "protocol_error")
    }))

  live(
    "upstream_http_error: a 429 is typed with status, retry-after, provider type and a bounded excerpt",
    () =>
      Effect.gen(function*() {
        const server = yield* upstream((x) => {
          x.response.writeHead(429, { "content-type": "application/json", "retry-after": "7" })
          const body = JSON.stringify({
            error: { type: "rate_limit_error", message: "slow down", padding: "x".repeat(10_000) }
          })
          x.response.write(body)
          drip(x, 10, () => " ")
        })
        const seen = recorder()
        const error = yield* run(LlmClient.stream(post(server.url), { dialect }), { chunk: "1 second" }, seen).pipe(
          Effect.flip
        )
        assert.strictEqual(error._tag, "UpstreamHttpError")
        if (error._tag !== "UpstreamHttpError") return
        assert.strictEqual(error.status, 429)
        assert.strictEqual(error.retryAfterMillis, 7000)
        assert.isAtMost(new TextEncoder().encode(error.bodyExcerpt).length, 2048)
        assert.isTrue(error.bodyExcerpt.startsWith(`{"error":{"type":"rate_limit_error"`))
        yield* closedWithin(yield* server.exchange(0))
        assert.strictEqual(seen.ended[0]?.outcome, "upstream_http_error")
      })
  )

  live("upstream_http_error: the provider's error type is read from an Anthropic body", () =>
    Effect.gen(function*() {
      const server = yield* upstream((x) => {
        x.response.writeHead(529, { "content-type": "application/json" })
        x.response.end(JSON.stringify({ type: "error", error: { type: "overloaded_error", message: "Overloaded" } }))
      })
      const error = yield* run(LlmClient.stream(post(server.url), { dialect }), {}, recorder()).pipe(Effect.flip)
      assert.strictEqual(error._tag, "UpstreamHttpError")
      if (error._tag !== "UpstreamHttpError") return
      assert.strictEqual(error.providerErrorType, "overloaded_error")
      assert.strictEqual(error.providerMessage, "Overloaded")
    }))

  live(
    "transport_error: a refused connection is typed with reason refused, before the response",
    () =>
      Effect.gen(function*() {
        // A port that was just free: nothing listens there.
        const server = yield* Effect.scoped(upstream(() => {}))
        const seen = recorder()
        const error = yield* run(LlmClient.stream(post(server.url), { dialect }), { connect: "1 second" }, seen).pipe(
          Effect.flip
        )
        assert.strictEqual(error._tag, "TransportError")
        if (error._tag !== "TransportError") return
        assert.strictEqual(error.reason, "refused")
        assert.strictEqual(error.stage, "request")
        assert.strictEqual(seen.ended[0]?.outcome, "transport_error")
      })
  )

  live("transport_error: a reset mid-stream is typed (stage response), not a timeout", () =>
    Effect.gen(function*() {
      const server = yield* upstream((x) => {
        sseHead(x)
        x.response.write(chunk("a"))
        setTimeout(() => x.request.socket.resetAndDestroy(), 20)
      })
      const seen = recorder()
      const received: Array<string> = []
      const error = yield* run(
        LlmClient.stream(post(server.url), { dialect }).pipe(
          Stream.tap((c) => Effect.sync(() => received.push(dialect.text(c) ?? "")))
        ),
        { chunk: "1 second" },
        seen
      ).pipe(Effect.flip)
      assert.deepStrictEqual(received, ["a"])
      assert.strictEqual(error._tag, "TransportError")
      if (error._tag !== "TransportError") return
      assert.strictEqual(error.stage, "response")
      assert.oneOf(error.reason, ["reset", "closed"])
      assert.strictEqual(seen.ended[0]?.outcome, "transport_error")
    }))

  live("consumer_stopped: Stream.take(3) on a long stream closes the connection", () =>
    Effect.gen(function*() {
      const server = yield* upstream((x) => {
        sseHead(x)
        drip(x, 5, (n) => chunk(String(n % 10)))
      })
      const seen = recorder()
      const out = yield* run(LlmClient.stream(post(server.url), { dialect }).pipe(Stream.take(3)), {}, seen)
      const stoppedAt = Date.now()
      assert.strictEqual(text(out), "012")
      const closedAt = yield* closedWithin(yield* server.exchange(0))
      assert.isAtMost(closedAt - stoppedAt, 250)
      assert.strictEqual(seen.ended[0]?.outcome, "consumer_stopped")
    }))

  live("interrupted: interrupting the consuming fiber mid-stream closes the connection", () =>
    Effect.gen(function*() {
      const server = yield* upstream((x) => {
        sseHead(x)
        drip(x, 5, (n) => chunk(String(n % 10)))
      })
      const seen = recorder()
      const fiber = yield* Effect.forkChild(run(LlmClient.stream(post(server.url), { dialect }), {}, seen))
      const exchange = yield* server.exchange(0)
      yield* Effect.sleep("50 millis")
      const interruptedAt = yield* now
      yield* Fiber.interrupt(fiber)
      const closedAt = yield* closedWithin(exchange)
      assert.isAtMost(closedAt - interruptedAt, 250)
      assert.strictEqual(seen.ended[0]?.outcome, "interrupted")
    }))
})

describe("LlmClient.stream: the phases before the response", () => {
  live("headers_timeout: a server that reads the request and never answers", () =>
    Effect.gen(function*() {
      let bodyRead = false
      const server = yield* upstream((x) => {
        x.request.resume()
        x.request.on("end", () => bodyRead = true)
      })
      const seen = recorder()
      const error = yield* run(LlmClient.stream(post(server.url), { dialect }), { headers: "100 millis" }, seen).pipe(
        Effect.flip
      )
      assert.strictEqual(error._tag, "HeadersTimeout")
      assert.isTrue(bodyRead)
      yield* closedWithin(yield* server.exchange(0))
      assert.strictEqual(seen.ended[0]?.outcome, "headers_timeout")
    }))

  live(
    "connect_timeout: a listener whose accept queue is full never completes the handshake",
    () =>
      Effect.gen(function*() {
        const port = yield* fullListener
        // Linux completes handshakes into the accept queue until it holds backlog + 1; after that it
        // drops SYNs, so a connection attempt hangs in SYN_SENT: a true connect timeout on loopback.
        const fillers = yield* Effect.acquireRelease(
          Effect.sync(() => [0, 1, 2].map(() => Net.connect(port, "127.0.0.1").on("error", () => {}))),
          (sockets) => Effect.sync(() => sockets.forEach((s) => s.destroy()))
        )
        yield* Effect.sleep("50 millis")
        assert.isTrue(fillers.some((s) => s.pending), "the accept queue did not fill")
        const seen = recorder()
        const error = yield* run(
          LlmClient.stream(post(`http://127.0.0.1:${port}`), { dialect }),
          { connect: "150 millis" },
          seen
        ).pipe(Effect.flip)
        assert.strictEqual(error._tag, "ConnectTimeout")
        assert.strictEqual(seen.ended[0]?.outcome, "connect_timeout")
      })
  )

  live("write_timeout: a server that stops reading a large body", () =>
    Effect.gen(function*() {
      // Never reads: the body fills the socket buffers and the write stalls.
      const server = yield* upstream((x) => x.request.pause())
      const seen = recorder()
      const request = HttpClientRequest.post(`${server.url}/v1/chat/completions`).pipe(
        HttpClientRequest.bodyUint8Array(new Uint8Array(64 * 1024 * 1024), "application/json")
      )
      const error = yield* run(
        LlmClient.stream(request, { dialect }),
        { write: "200 millis", headers: "5 seconds" },
        seen
      ).pipe(Effect.flip)
      assert.strictEqual(error._tag, "WriteTimeout")
      // A server that does not read cannot notice a close. Once it reads again it finds it, after
      // draining the megabytes the kernel had buffered (hence a wider bound than 50 ms).
      const exchange = yield* server.exchange(0)
      exchange.request.on("error", () => {})
      exchange.request.resume()
      yield* closedWithin(exchange, "500 millis")
      assert.strictEqual(seen.ended[0]?.outcome, "write_timeout")
    }))

  live(
    "pool_timeout: with one connection held by a long stream, a second request times out",
    () =>
      Effect.gen(function*() {
        const server = yield* upstream((x) => {
          sseHead(x)
          drip(x, 10, (n) => chunk(String(n % 10)))
        })
        const seen = recorder()
        const both = Effect.gen(function*() {
          const holder = yield* Effect.forkChild(Stream.runDrain(LlmClient.stream(post(server.url), { dialect })))
          yield* server.exchange(0)
          const error = yield* Stream.runDrain(LlmClient.stream(post(server.url), { dialect })).pipe(Effect.flip)
          assert.strictEqual(server.exchanges.length, 1, "the second request reached the server")
          yield* Fiber.interrupt(holder)
          return error
        })
        const error = yield* both.pipe(
          Effect.timeout("5 seconds"),
          Effect.provide(
            Layer.mergeAll(LlmClient.layerUndici({ connections: 1 }), profile({ pool: "100 millis" }), seen.layer)
          )
        )
        assert.strictEqual(error._tag, "PoolTimeout")
        assert.deepStrictEqual(seen.ended.map((e) => e.outcome), ["pool_timeout", "interrupted"])
      })
  )
})

describe("LlmClient.stream: our own waits are not upstream silence", () => {
  live("without a pool limit, waiting for a slot longer than the chunk limit is allowed", () =>
    Effect.gen(function*() {
      // The first stream holds the only connection for about 300 ms, under a 100 ms chunk limit.
      const server = yield* upstream((x) => {
        sseHead(x)
        let n = 0
        const timer = setInterval(() => {
          if (x.response.destroyed) return clearInterval(timer)
          if (++n <= 15) return void x.response.write(chunk(String(n % 10)))
          clearInterval(timer)
          x.response.end(done)
        }, 20)
      })
      const seen = recorder()
      const [first, second] = yield* Effect.all(
        [
          Stream.runCollect(LlmClient.stream(post(server.url), { dialect })),
          Effect.andThen(Effect.sleep("20 millis"), Stream.runCollect(LlmClient.stream(post(server.url), { dialect })))
        ],
        { concurrency: 2 }
      ).pipe(
        Effect.timeout("5 seconds"),
        Effect.provide(
          Layer.mergeAll(LlmClient.layerUndici({ connections: 1 }), profile({ chunk: "100 millis" }), seen.layer)
        )
      )
      assert.strictEqual(first.length, 15)
      assert.strictEqual(second.length, 15)
      assert.deepStrictEqual(seen.ended.map((e) => e.outcome), ["done", "done"])
    }))

  live(
    "without a headers limit, the chunk limit bounds the wait for headers, as a HeadersTimeout",
    () =>
      Effect.gen(function*() {
        const server = yield* upstream((x) => x.request.resume())
        const seen = recorder()
        const error = yield* run(LlmClient.stream(post(server.url), { dialect }), { chunk: "150 millis" }, seen).pipe(
          Effect.flip
        )
        assert.strictEqual(error._tag, "HeadersTimeout")
        if (error._tag === "HeadersTimeout") assert.strictEqual(error.limitMillis, 150)
        yield* closedWithin(yield* server.exchange(0))
        assert.strictEqual(seen.ended[0]?.outcome, "headers_timeout")
      })
  )
})

describe("LlmClient.stream: backpressure", () => {
  live(
    "a consumer that falls behind pauses the socket, which resumes when it catches up; nothing is lost",
    () =>
      Effect.gen(function*() {
        // 20 MB of 1 KB frames, written as fast as the socket takes them: far more than the guard's
        // read-ahead (512 events) and the kernel's loopback buffers together.
        const frames = 20_000
        const frame = chunk("x".repeat(900))
        const server = yield* upstream((x) => {
          sseHead(x)
          const next = () => {
            while (x.written < frames) {
              x.written++
              if (!x.response.write(frame)) return void x.response.once("drain", next)
            }
            x.response.end(done)
          }
          next()
        })
        let received = 0
        let writtenWhileBehind = -1
        yield* LlmClient.stream(post(server.url), { dialect }).pipe(
          Stream.runForEachArray((values) =>
            Effect.gen(function*() {
              received += values.length
              if (writtenWhileBehind >= 0) return
              // The consumer is busy with its first chunk: the upstream may only fill what is buffered.
              yield* Effect.sleep("300 millis")
              writtenWhileBehind = (yield* server.exchange(0)).written
            })
          ),
          Effect.timeout("10 seconds"),
          Effect.provide(profile({ chunk: "2 seconds" })),
          client
        )
        assert.isBelow(writtenWhileBehind, frames / 2, "the socket was paused while the consumer was behind")
        assert.strictEqual(received, frames)
      })
  )
})

describe("LlmClient.stream: retries", () => {
  const retry = Schedule.max([Schedule.spaced("10 millis"), Schedule.recurs(5)])

  live("a 503 then a success delivers the stream once, and the observer hears the retry", () =>
    Effect.gen(function*() {
      const server = yield* upstream((x) => {
        if (x.request.url !== undefined && server.exchanges.length === 1) {
          x.response.writeHead(503, { "retry-after-ms": "30" })
          return x.response.end("busy")
        }
        sseHead(x)
        x.response.write(chunk("a") + chunk("b") + done)
      })
      const seen = recorder()
      const out = yield* run(LlmClient.stream(post(server.url), { dialect, retry }), {}, seen)
      assert.strictEqual(text(out), "ab")
      assert.strictEqual(server.exchanges.length, 2)
      assert.strictEqual(seen.retrying.length, 1)
      assert.strictEqual(seen.retrying[0]?.outcome, "upstream_http_error")
      assert.isAtLeast(seen.retrying[0]?.delayMillis ?? 0, 30, "retry-after was not honoured")
      assert.deepStrictEqual(seen.ended.map((e) => e.outcome), ["done"])
    }))

  live("an Anthropic 529 (overloaded) is retried, as any transient status is", () =>
    Effect.gen(function*() {
      const server = yield* upstream((x) => {
        if (server.exchanges.length === 1) {
          x.response.writeHead(529, { "content-type": "application/json" })
          return x.response.end(JSON.stringify({ type: "error", error: { type: "overloaded_error" } }))
        }
        sseHead(x)
        x.response.write(chunk("a") + done)
      })
      const seen = recorder()
      const out = yield* run(LlmClient.stream(post(server.url), { dialect, retry }), {}, seen)
      assert.strictEqual(text(out), "a")
      assert.strictEqual(server.exchanges.length, 2)
      assert.strictEqual(seen.retrying.length, 1)
    }))

  live(
    "a 501 or a 505 is neither retried nor told as a retry: the same upstream answers it the same way every time",
    () =>
      Effect.gen(function*() {
        for (const status of [501, 505]) {
          const server = yield* upstream((x) => {
            x.response.writeHead(status)
            x.response.end()
          })
          const seen = recorder()
          const error = yield* run(LlmClient.stream(post(server.url), { dialect, retry }), {}, seen).pipe(Effect.flip)
          assert.strictEqual(error._tag, "UpstreamHttpError")
          assert.strictEqual(server.exchanges.length, 1, String(status))
          assert.strictEqual(seen.retrying.length, 0, String(status))
        }
      })
  )

  live("a failure after the first chunk is not retried", () =>
    Effect.gen(function*() {
      const server = yield* upstream((x) => {
        sseHead(x)
        x.response.write(chunk("a"))
        setTimeout(() => x.request.socket.destroy(), 20)
      })
      const seen = recorder()
      const error = yield* run(LlmClient.stream(post(server.url), { dialect, retry }), {}, seen).pipe(Effect.flip)
      assert.strictEqual(error._tag, "TransportError")
      assert.strictEqual(server.exchanges.length, 1)
      assert.strictEqual(seen.retrying.length, 0)
    }))

  live("retries stop at the total budget: no attempt starts past it", () =>
    Effect.gen(function*() {
      const arrivals: Array<number> = []
      const server = yield* upstream((x) => {
        arrivals.push(Date.now())
        x.response.writeHead(503)
        x.response.end()
      })
      const seen = recorder()
      const error = yield* run(
        LlmClient.stream(post(server.url), {
          dialect,
          retry: Schedule.max([Schedule.spaced("80 millis"), Schedule.recurs(100)])
        }),
        { total: "200 millis" },
        seen
      ).pipe(Effect.flip)
      // Usually the upstream's own 503 (the next delay would overrun), or the total timeout when
      // the last attempt itself was slow: never an attempt after the budget.
      assert.oneOf(error._tag, ["UpstreamHttpError", "TotalTimeout"])
      // Attempts at 0, 80 and 160 ms at the earliest: a fourth could not start before 240 ms, past
      // the budget. A loaded machine may make them later, and so fewer.
      assert.isAtLeast(arrivals.length, 2)
      assert.isAtMost(arrivals.length, 3)
      // Every retry that reached the upstream was announced first. When the budget ran out while
      // the last announced retry was still on its way (a loaded machine), that one never arrived.
      if (error._tag === "UpstreamHttpError") assert.strictEqual(seen.retrying.length, arrivals.length - 1)
      else assert.oneOf(seen.retrying.length, [arrivals.length - 1, arrivals.length])
    }))
})

describe("LlmClient.batch", () => {
  const batchRun = <A, E>(
    effect: Effect.Effect<A, E, LlmClient.LlmClient | RequestProfile.RequestProfile>,
    policy: Parameters<typeof TimeoutPolicy.unsafeMake>[0]
  ) =>
    effect.pipe(
      Effect.timeout("5 seconds"),
      Effect.provide(profile(policy)),
      client
    )

  live("done: reads the whole JSON answer and decodes it", () =>
    Effect.gen(function*() {
      const server = yield* upstream((x) => {
        x.response.writeHead(200, { "content-type": "application/json" })
        x.response.end(JSON.stringify({ id: "x", choices: [{ message: { content: "hello" } }] }))
      })
      const response = yield* batchRun(LlmClient.batch(post(server.url)), { request: "1 second" })
      assert.strictEqual(response.status, 200)
      assert.strictEqual(response.headers["content-type"], "application/json")
      const { Schema } = yield* Effect.promise(() => import("effect"))
      const body = yield* response.json(Schema.Struct({ id: Schema.String }))
      assert.strictEqual(body.id, "x")
    }))

  live("request_timeout: a body that trickles past the request limit fails and closes", () =>
    Effect.gen(function*() {
      const server = yield* upstream((x) => {
        x.response.writeHead(200, { "content-type": "application/json" })
        drip(x, 10, () => " ")
      })
      const error = yield* batchRun(LlmClient.batch(post(server.url)), { request: "150 millis" }).pipe(Effect.flip)
      assert.strictEqual(error._tag, "RequestTimeout")
      yield* closedWithin(yield* server.exchange(0))
    }))

  live(
    "upstream_http_error: a 500 fails typed and the half-read connection is destroyed",
    () =>
      Effect.gen(function*() {
        const server = yield* upstream((x) => {
          x.response.writeHead(500, { "content-type": "application/json" })
          x.response.write(`{"error":{"type":"server_error","message":"oops"}}`)
          drip(x, 10, () => " ")
        })
        const error = yield* batchRun(LlmClient.batch(post(server.url)), { request: "1 second" }).pipe(Effect.flip)
        assert.strictEqual(error._tag, "UpstreamHttpError")
        if (error._tag === "UpstreamHttpError") assert.strictEqual(error.providerErrorType, "server_error")
        yield* closedWithin(yield* server.exchange(0))
      })
  )
})

describe("LlmClient: undici's own timers never fire before the policy", () => {
  live(
    "a silent gap far past an undici agent's default body and headers timeouts is allowed",
    () =>
      Effect.gen(function*() {
        // An agent whose own defaults would kill any request silent for 20 ms: the client's
        // per-request options (headersTimeout 1 h, bodyTimeout 0 = off) must override them.
        const { Agent } = yield* Effect.promise(() => import("undici"))
        const { NodeHttpClient } = yield* Effect.promise(() => import("@effect/platform-node"))
        const server = yield* upstream((x) => {
          setTimeout(() => {
            sseHead(x)
            x.response.write(chunk("a"))
            setTimeout(() => x.response.write(chunk("b") + done), 150)
          }, 100)
        })
        const dispatcher = Layer.effect(
          NodeHttpClient.Dispatcher,
          Effect.acquireRelease(
            Effect.sync(() => new Agent({ headersTimeout: 20, bodyTimeout: 20 })),
            (agent) => Effect.promise(() => agent.destroy())
          )
        )
        const out = yield* Stream.runCollect(LlmClient.stream(post(server.url), { dialect })).pipe(
          Effect.timeout("5 seconds"),
          Effect.provide(
            Layer.mergeAll(
              LlmClient.layerDispatcher().pipe(Layer.provide(dispatcher)),
              profile({ chunk: "1 second" })
            )
          )
        )
        assert.strictEqual(text(out), "ab")
      })
  )

  // The policy's own clock is the TestClock here, while the socket is real: the test moves time
  // only once the first chunk has been consumed and the server is holding the rest back.
  const gap = (silence: Duration.Input) =>
    Effect.gen(function*() {
      let release: () => void = () => {}
      const server = yield* upstream((x) => {
        sseHead(x)
        x.response.write(chunk("a"))
        release = () => x.response.write(chunk("b") + done)
      })
      const first = yield* Deferred.make<void>()
      const fiber = yield* LlmClient.stream(post(server.url), { dialect }).pipe(
        Stream.tap(() => Deferred.succeed(first, undefined)),
        Stream.runCollect,
        Effect.provide(profile({ chunk: "10 minutes" })),
        client,
        Effect.forkChild
      )
      yield* Deferred.await(first)
      // The guard armed its chunk timer on the TestClock when it fed the chunk, before the
      // consumer saw it: the adjust counts against it.
      yield* TestClock.adjust(silence)
      release()
      return yield* Fiber.join(fiber).pipe(Effect.map(text), Effect.result)
    })

  it.effect("a 6-minute silent gap is allowed under a 10-minute chunk timeout", () =>
    Effect.gen(function*() {
      const result = yield* gap("6 minutes")
      assert.deepStrictEqual(result, Result.succeed("ab"))
    }))

  it.effect("an 11-minute silent gap trips the 10-minute chunk timeout (the control)", () =>
    Effect.gen(function*() {
      const result = yield* gap("11 minutes")
      assert.isTrue(Result.isFailure(result) && result.failure._tag === "ChunkTimeout")
    }))
})
