import { assert, describe, it } from "@effect/vitest"
import { toNodeHandler } from "@modelcontextprotocol/node"
import type { ServerEventBus } from "@modelcontextprotocol/server"
import { createMcpHandler, InMemoryServerEventBus, McpServer } from "@modelcontextprotocol/server"
import { LlmClient } from "@streamguard/client"
import { RequestProfile, TimeoutPolicy } from "@streamguard/core"
import type { Mcp } from "@streamguard/protocols"
import { Dialects } from "@streamguard/protocols"
import { Deferred, Duration, Effect, Fiber, Layer, Stream } from "effect"
import type { Scope } from "effect"
import { HttpClientRequest } from "effect/http"
import * as Http from "node:http"
import type * as Net from "node:net"
import { checkNoLeaks } from "./support/leaks.js"

checkNoLeaks()

const revision = "2026-07-28"

interface ServerRecord {
  /** Completed when the server dropped a `subscriptions/listen` subscription (its stream closed). */
  readonly unsubscribed: Deferred.Deferred<void>
  /** Completed when the `silent` tool's request was cancelled (its abort signal fired). */
  readonly cancelled: Deferred.Deferred<void>
}

/**
 * A real 2026-07-28 MCP server: the SDK's `createMcpHandler` behind its Node adapter, one server
 * instance per request, streams always SSE, keepalive comments every `keepAliveMs`. Its tools:
 * `chatty` logs every 50 ms until cancelled, `silent` never answers. The change-event bus is the
 * SDK's own, watched for the subscriptions it drops.
 */
const modernServer = (keepAliveMs: number) =>
  Effect.acquireRelease(
    Effect.callback<
      { server: Http.Server; url: string; record: ServerRecord; notify: () => void; close: () => Promise<void> }
    >(
      (resume) => {
        const record: ServerRecord = {
          unsubscribed: Deferred.makeUnsafe(),
          cancelled: Deferred.makeUnsafe()
        }
        const events = new InMemoryServerEventBus()
        const bus: ServerEventBus = {
          publish: (event) => events.publish(event),
          subscribe: (listener) => {
            const unsubscribe = events.subscribe(listener)
            return () => {
              unsubscribe()
              Deferred.doneUnsafe(record.unsubscribed, Effect.void)
            }
          }
        }
        const handler = createMcpHandler(() => {
          const mcp = new McpServer({ name: "test", version: "1.0.0" }, {
            capabilities: { tools: { listChanged: true }, logging: {} }
          })
          mcp.registerTool("chatty", { description: "logs every 50 ms, never reports progress" }, async (ctx) => {
            while (!ctx.mcpReq.signal.aborted) {
              await new Promise((resolve) => setTimeout(resolve, 50))
              if (ctx.mcpReq.signal.aborted) break
              await ctx.mcpReq.notify({ method: "notifications/message", params: { level: "info", data: "working" } })
            }
            return { content: [{ type: "text", text: "cancelled" }] }
          })
          mcp.registerTool("silent", { description: "never answers" }, (ctx) =>
            new Promise((_, reject) => {
              ctx.mcpReq.signal.addEventListener("abort", () => {
                Deferred.doneUnsafe(record.cancelled, Effect.void)
                reject(new Error("cancelled"))
              })
            }))
          return mcp
        }, { bus, keepAliveMs, responseMode: "sse", legacy: "reject" })
        const node = toNodeHandler(handler)
        // The adapter's types are written for `exactOptionalPropertyTypes: false`; a Node request fits.
        const server = Http.createServer((req, res) => void node(req as unknown as Parameters<typeof node>[0], res))
        server.listen(0, "127.0.0.1", () =>
          resume(Effect.succeed({
            server,
            url: `http://127.0.0.1:${(server.address() as Net.AddressInfo).port}/mcp`,
            record,
            notify: () => handler.notify.toolsChanged(),
            close: () => handler.close()
          })))
      }
    ),
    ({ close, server }) =>
      Effect.callback<void>((resume) => {
        void close().finally(() => {
          server.closeAllConnections()
          server.close(() => resume(Effect.void))
        })
      })
  )

/** The per-request envelope 2026-07-28 asks of every request. */
const envelope = {
  "io.modelcontextprotocol/protocolVersion": revision,
  "io.modelcontextprotocol/clientCapabilities": {},
  "io.modelcontextprotocol/clientInfo": { name: "streamguard-test", version: "1.0.0" }
}

const post = (url: string, method: string, params: object, headers: Readonly<Record<string, string>> = {}) =>
  HttpClientRequest.post(url).pipe(
    HttpClientRequest.setHeaders({
      accept: "application/json, text/event-stream",
      "mcp-protocol-version": revision,
      "mcp-method": method,
      ...headers
    }),
    HttpClientRequest.bodyJsonUnsafe({ jsonrpc: "2.0", id: 7, method, params: { ...params, _meta: envelope } })
  )

const listen = (url: string) => post(url, "subscriptions/listen", { notifications: { toolsListChanged: true } })

const callTool = (url: string, name: string) => post(url, "tools/call", { name, arguments: {} }, { "mcp-name": name })

/** The profile every test here runs under: tight limits, so a listen stream outlives them quickly. */
const profile = RequestProfile.layer(
  "mcp",
  TimeoutPolicy.unsafeMake({ chunk: "200 millis", progress: "300 millis", total: "500 millis" })
)

const run = <A, E>(stream: Stream.Stream<A, E, LlmClient.LlmClient | RequestProfile.RequestProfile>) =>
  Stream.runCollect(stream).pipe(
    Effect.timeout("5 seconds"),
    Effect.provide(Layer.mergeAll(LlmClient.layerUndici(), profile))
  )

const methods = (messages: ReadonlyArray<Mcp.JsonRpcMessage>) => messages.map((message) => message.method)

const live = (name: string, self: () => Effect.Effect<void, unknown, Scope.Scope>) => it.live(name, self)

describe("LlmClient against a 2026-07-28 MCP server (the SDK's 2.x line)", () => {
  live(
    "a subscriptions/listen stream outlives the profile's progress and total, held by keepalives; its notifications are its content",
    () =>
      Effect.gen(function*() {
        const { close, notify, url } = yield* modernServer(50)
        const started = Date.now()
        // The server changes its tools after 700 ms (past progress and total), then shuts down.
        const server = yield* Effect.forkChild(
          Effect.sleep("700 millis").pipe(
            Effect.andThen(Effect.sync(notify)),
            Effect.andThen(Effect.sleep("100 millis")),
            Effect.andThen(Effect.promise(close))
          )
        )
        const content = yield* run(LlmClient.stream(listen(url), { dialect: Dialects.mcp, decode: { requestId: 7 } }))
        yield* Fiber.join(server)
        assert.deepStrictEqual(methods(content), [
          "notifications/subscriptions/acknowledged",
          "notifications/tools/list_changed"
        ])
        assert.isAtLeast(Date.now() - started, 700)
      })
  )

  live(
    "a tool call under the same profile is still bounded by progress: one that only logs ends with ProgressTimeout",
    () =>
      Effect.gen(function*() {
        const { url } = yield* modernServer(50)
        const error = yield* run(
          LlmClient.stream(callTool(url, "chatty"), { dialect: Dialects.mcp, decode: { requestId: 7 } })
        ).pipe(Effect.flip)
        assert.strictEqual(error._tag, "ProgressTimeout")
      })
  )

  live(
    "closing a listen stream cancels its subscription: the SDK server drops it",
    () =>
      Effect.gen(function*() {
        const { record, url } = yield* modernServer(50)
        // The consumer takes the acknowledgement and stops: the guard closes the connection.
        const content = yield* run(
          LlmClient.stream(listen(url), { dialect: Dialects.mcp, decode: { requestId: 7 } }).pipe(Stream.take(1))
        )
        assert.deepStrictEqual(methods(content), ["notifications/subscriptions/acknowledged"])
        yield* Deferred.await(record.unsubscribed).pipe(Effect.timeout("1 second"))
      })
  )

  live(
    "a call's own policy bounds a listen stream again: total 300 ms ends it with TotalTimeout, and the subscription is dropped",
    () =>
      Effect.gen(function*() {
        const { record, url } = yield* modernServer(50)
        const error = yield* run(
          LlmClient.stream(listen(url), {
            dialect: Dialects.mcp,
            decode: { requestId: 7 },
            policy: { total: Duration.millis(300) }
          })
        ).pipe(Effect.flip)
        assert.strictEqual(error._tag, "TotalTimeout")
        yield* Deferred.await(record.unsubscribed).pipe(Effect.timeout("1 second"))
      })
  )

  live(
    "a silent tool without keepalives times out, and closing its stream cancels the tool on the server",
    () =>
      Effect.gen(function*() {
        const { record, url } = yield* modernServer(0)
        const error = yield* run(
          LlmClient.stream(callTool(url, "silent"), { dialect: Dialects.mcp, decode: { requestId: 7 } })
        ).pipe(Effect.flip)
        // The Node adapter sends the stream's headers with its first bytes: nothing came, so the
        // wait for headers is what timed out (bounded by `chunk`, as no `headers` limit is set).
        assert.strictEqual(error._tag, "HeadersTimeout")
        yield* Deferred.await(record.cancelled).pipe(Effect.timeout("1 second"))
      })
  )
})

/** A bare SSE server that holds every stream open with a comment every 50 ms (a listen stream's idle life). */
const commentServer = Effect.acquireRelease(
  Effect.callback<{ server: Http.Server; url: string }>((resume) => {
    const server = Http.createServer((req, res) => {
      req.resume()
      res.writeHead(200, { "content-type": "text/event-stream" })
      const timer = setInterval(() => res.write(": keepalive\n\n"), 50)
      res.on("close", () => clearInterval(timer))
    })
    server.listen(
      0,
      "127.0.0.1",
      () =>
        resume(Effect.succeed({ server, url: `http://127.0.0.1:${(server.address() as Net.AddressInfo).port}/mcp` }))
    )
  }),
  ({ server }) =>
    Effect.callback<void>((resume) => {
      server.closeAllConnections()
      server.close(() => resume(Effect.void))
    })
)

describe("a listen stream told by its body alone (no Mcp-Method header)", () => {
  live(
    "is bounded by liveness only: 700 ms of keepalives pass progress 300 ms and total 500 ms",
    () =>
      Effect.gen(function*() {
        const { url } = yield* commentServer
        const request = HttpClientRequest.post(url).pipe(
          HttpClientRequest.setHeader("accept", "application/json, text/event-stream"),
          HttpClientRequest.bodyJsonUnsafe({
            jsonrpc: "2.0",
            id: 7,
            method: "subscriptions/listen",
            params: { notifications: { toolsListChanged: true } }
          })
        )
        const events = yield* run(
          LlmClient.streamEvents(request, { dialect: Dialects.mcp }).pipe(
            Stream.interruptWhen(Effect.sleep("700 millis"))
          )
        )
        assert.isAtLeast(events.filter((event) => event._tag === "Keepalive").length, 8)
      })
  )
})
