import { assert, describe, it } from "@effect/vitest"
import { InMemoryEventStore } from "@modelcontextprotocol/sdk/examples/shared/inMemoryEventStore.js"
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js"
import { StreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/streamableHttp.js"
import { LlmClient } from "@streamguard/client"
import { Profiles, RequestProfile, TimeoutPolicy } from "@streamguard/core"
import { Dialects } from "@streamguard/protocols"
import { Deferred, Duration, Effect, Layer, Stream } from "effect"
import type { Scope } from "effect"
import { HttpClientRequest } from "effect/http"
import * as Http from "node:http"
import type * as Net from "node:net"
import { checkNoLeaks } from "./support/leaks.js"

checkNoLeaks()

interface ToolRecord {
  /** Completed when the silent tool's request was cancelled (its abort signal fired). */
  readonly cancelled: Deferred.Deferred<void>
  /** Completed when a connection to the server closed. */
  readonly closed: Deferred.Deferred<void>
}

/**
 * A real MCP server (the SDK's Streamable HTTP transport, stateless: one server per request) with
 * three tools: `slow` reports progress every 50 ms for 1 s then answers; `chatty` logs every 50 ms
 * until cancelled; `silent` never answers. `options` go to the transport (an event store, which
 * makes it open each stream with a priming event; its keepalive interval).
 */
const mcpServer = (options: { readonly eventStore?: boolean; readonly keepAliveMs?: number } = {}) =>
  Effect.acquireRelease(
    Effect.callback<{ server: Http.Server; url: string; record: ToolRecord }>((resume) => {
      const record: ToolRecord = {
        cancelled: Deferred.makeUnsafe(),
        closed: Deferred.makeUnsafe()
      }
      const server = Http.createServer((req, res) => {
        req.socket.once("close", () => Deferred.doneUnsafe(record.closed, Effect.void))
        const mcp = new McpServer({ name: "test", version: "1.0.0" }, { capabilities: { logging: {} } })
        mcp.registerTool("slow", { description: "progress every 50 ms for 1 s" }, async (extra) => {
          const token = extra._meta?.progressToken
          for (let i = 1; i <= 20; i++) {
            await new Promise((resolve) => setTimeout(resolve, 50))
            if (token !== undefined) {
              await extra.sendNotification({
                method: "notifications/progress",
                params: { progressToken: token, progress: i, total: 20 }
              })
            }
          }
          return { content: [{ type: "text", text: "done" }] }
        })
        mcp.registerTool("chatty", { description: "logs every 50 ms, never reports progress" }, async (extra) => {
          while (!extra.signal.aborted) {
            await new Promise((resolve) => setTimeout(resolve, 50))
            if (extra.signal.aborted) break
            await extra.sendNotification({
              method: "notifications/message",
              params: { level: "info", data: "working" }
            })
          }
          Deferred.doneUnsafe(record.cancelled, Effect.void)
          return { content: [{ type: "text", text: "cancelled" }] }
        })
        mcp.registerTool("silent", { description: "never answers" }, (extra) =>
          new Promise((_, reject) => {
            extra.signal.addEventListener("abort", () => {
              Deferred.doneUnsafe(record.cancelled, Effect.void)
              reject(new Error("cancelled"))
            })
          }))
        // No session id generator: the stateless mode, one server and transport per request.
        const transport = new StreamableHTTPServerTransport({
          ...(options.eventStore ? { eventStore: new InMemoryEventStore(), retryInterval: 1000 } : {}),
          ...(options.keepAliveMs === undefined ? {} : { keepAliveMs: options.keepAliveMs })
        })
        res.on("close", () => {
          void transport.close()
          void mcp.close()
        })
        void mcp.connect(transport).then(() => transport.handleRequest(req, res))
      })
      server.listen(0, "127.0.0.1", () =>
        resume(Effect.succeed({
          server,
          url: `http://127.0.0.1:${(server.address() as Net.AddressInfo).port}/mcp`,
          record
        })))
    }),
    ({ server }) =>
      Effect.callback<void>((resume) => {
        server.closeAllConnections()
        server.close(() => resume(Effect.void))
      })
  )

const callTool = (url: string, name: string, protocolVersion: string = "2025-06-18") =>
  HttpClientRequest.post(url).pipe(
    HttpClientRequest.setHeader("accept", "application/json, text/event-stream"),
    HttpClientRequest.setHeader("mcp-protocol-version", protocolVersion),
    HttpClientRequest.bodyJsonUnsafe({
      jsonrpc: "2.0",
      id: 1,
      method: "tools/call",
      params: { name, arguments: {}, _meta: { progressToken: "p1" } }
    })
  )

const run = <A, E>(
  stream: Stream.Stream<A, E, LlmClient.LlmClient | RequestProfile.RequestProfile>,
  policy: Parameters<typeof TimeoutPolicy.unsafeMake>[0] = { chunk: "200 millis", firstChunk: "1 second" }
) =>
  Stream.runCollect(stream).pipe(
    Effect.timeout("5 seconds"),
    Effect.provide(
      Layer.mergeAll(LlmClient.layerUndici(), RequestProfile.layer("mcp", TimeoutPolicy.unsafeMake(policy)))
    )
  )

const live = (name: string, self: () => Effect.Effect<void, unknown, Scope.Scope>) => it.live(name, self)

describe("LlmClient against a real MCP server (Streamable HTTP)", () => {
  live(
    "2025-11-25 with an event store: the stream's priming event (an id, empty data) is a keepalive; the tool completes under the mcp profile",
    () =>
      Effect.gen(function*() {
        const { url } = yield* mcpServer({ eventStore: true })
        const events = yield* LlmClient.streamEvents(callTool(url, "slow", "2025-11-25"), {
          dialect: Dialects.mcp,
          decode: { requestId: 1 }
        }).pipe(
          Stream.runCollect,
          Effect.timeout("5 seconds"),
          Effect.provide(Layer.mergeAll(LlmClient.layerUndici(), Profiles.mcp))
        )
        const first = events[0]!
        assert.isTrue(first._tag === "Keepalive" && first.value === undefined && Dialects.mcp.isPing(first))
        assert.strictEqual(events.filter((event) => event._tag === "Chunk").length, 20)
        assert.strictEqual(events[events.length - 1]?._tag, "Done")
      })
  )

  live(
    "the SDK's keepalive comments (every 50 ms) keep a silent tool past chunk 200 ms; progress 600 ms ends it, cancelled",
    () =>
      Effect.gen(function*() {
        const { record, url } = yield* mcpServer({ eventStore: true, keepAliveMs: 50 })
        const started = Date.now()
        const error = yield* run(
          LlmClient.stream(callTool(url, "silent", "2025-11-25"), { dialect: Dialects.mcp, decode: { requestId: 1 } }),
          { chunk: "200 millis", progress: "600 millis" }
        ).pipe(Effect.flip)
        assert.strictEqual(error._tag, "ProgressTimeout")
        assert.isAtLeast(Date.now() - started, 600)
        yield* Deferred.await(record.cancelled).pipe(Effect.timeout("1 second"))
      })
  )

  live(
    "a tool reporting progress every 50 ms for 1 s completes under a 200 ms chunk timeout",
    () =>
      Effect.gen(function*() {
        const { url } = yield* mcpServer()
        const started = Date.now()
        const events = yield* run(
          LlmClient.streamEvents(callTool(url, "slow"), { dialect: Dialects.mcp, decode: { requestId: 1 } })
        )
        const all = events
        const progress = all.filter((e) => e._tag === "Chunk")
        assert.isAtLeast(progress.length, 20)
        const last = all[all.length - 1]
        assert.strictEqual(last?._tag, "Done")
        assert.isAtLeast(Date.now() - started, 1000)
      })
  )

  live(
    "under progress 300 ms: a tool reporting progress every 50 ms completes, one that only logs every 50 ms ends with ProgressTimeout",
    () =>
      Effect.gen(function*() {
        const { record, url } = yield* mcpServer()
        const policy = { chunk: "200 millis", progress: "300 millis" } as const
        const events = yield* run(
          LlmClient.streamEvents(callTool(url, "slow"), { dialect: Dialects.mcp, decode: { requestId: 1 } }),
          policy
        )
        assert.strictEqual(events[events.length - 1]?._tag, "Done")
        // The logs are keepalives: they keep `chunk` from firing, never `progress`.
        const error = yield* run(
          LlmClient.streamEvents(callTool(url, "chatty"), { dialect: Dialects.mcp, decode: { requestId: 1 } }),
          policy
        ).pipe(Effect.flip)
        assert.strictEqual(error._tag, "ProgressTimeout")
        yield* Deferred.await(record.cancelled).pipe(Effect.timeout("1 second"))
      })
  )

  live(
    "a silent tool trips ChunkTimeout and the server sees the request cancelled and closed",
    () =>
      Effect.gen(function*() {
        const { record, url } = yield* mcpServer()
        const error = yield* run(
          LlmClient.stream(callTool(url, "silent"), {
            dialect: Dialects.mcp,
            policy: { firstChunk: Duration.infinity },
            decode: { requestId: 1 }
          })
        ).pipe(Effect.flip)
        assert.strictEqual(error._tag, "ChunkTimeout")
        yield* Deferred.await(record.closed).pipe(Effect.timeout("50 millis"))
        yield* Deferred.await(record.cancelled).pipe(Effect.timeout("200 millis"))
      })
  )
})
