/**
 * How the MCP transcripts recorded here (fixtures/transcripts/mcp/sdk-*) were made: a real server
 * of each SDK line on loopback, one request, and the response body byte for byte as it arrived
 * (after HTTP chunked decoding, like the other transcripts). The test beside it checks that the
 * stored files still say what these servers send, and rewrites them on request.
 */
import { toNodeHandler } from "@modelcontextprotocol/node"
import { InMemoryEventStore } from "@modelcontextprotocol/sdk/examples/shared/inMemoryEventStore.js"
import { McpServer as McpServer1 } from "@modelcontextprotocol/sdk/server/mcp.js"
import { StreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/streamableHttp.js"
import { createMcpHandler, McpServer } from "@modelcontextprotocol/server"
import * as Http from "node:http"
import type * as Net from "node:net"

/** What a recording sent and what came back. */
export interface Recording {
  readonly headers: Readonly<Record<string, string>>
  readonly body: unknown
  readonly response: Uint8Array
}

const sleep = (millis: number) => new Promise((resolve) => setTimeout(resolve, millis))

/** POSTs `body` to `server` and reads the whole response body; closes the server after. */
const exchange = (
  server: Http.Server,
  headers: Readonly<Record<string, string>>,
  body: unknown,
  whileOpen: () => Promise<void> = async () => {}
): Promise<Recording> =>
  new Promise((resolve, reject) => {
    server.listen(0, "127.0.0.1", () => {
      const port = (server.address() as Net.AddressInfo).port
      const request = Http.request({
        host: "127.0.0.1",
        port,
        path: "/mcp",
        method: "POST",
        headers: { "content-type": "application/json", accept: "application/json, text/event-stream", ...headers }
      }, (response) => {
        const chunks: Array<Buffer> = []
        response.on("data", (chunk: Buffer) => chunks.push(chunk))
        response.on("end", () => {
          server.closeAllConnections()
          server.close(() => resolve({ headers, body, response: new Uint8Array(Buffer.concat(chunks)) }))
        })
        void whileOpen().catch(reject)
      })
      request.on("error", reject)
      request.end(JSON.stringify(body))
    })
  })

/**
 * 2025-11-25, `@modelcontextprotocol/sdk` 1.x: a stateless Streamable HTTP server with an event
 * store (so the stream opens with a priming event and every event has an id), keepalive comments
 * every 100 ms, and a tool that reports progress three times 150 ms apart, logs, then answers.
 */
export const record2025 = (): Promise<Recording> => {
  const server = Http.createServer((req, res) => {
    const mcp = new McpServer1({ name: "streamguard-recording", version: "1.0.0" }, { capabilities: { logging: {} } })
    mcp.registerTool("count", { description: "counts to three, reporting progress" }, async (extra) => {
      const token = extra._meta?.progressToken
      for (let step = 1; step <= 3; step++) {
        await sleep(150)
        if (token !== undefined) {
          await extra.sendNotification({
            method: "notifications/progress",
            params: { progressToken: token, progress: step, total: 3, message: `step ${step} of 3` }
          })
        }
      }
      await extra.sendNotification({ method: "notifications/message", params: { level: "info", data: "counted" } })
      return { content: [{ type: "text", text: "1, 2, 3" }] }
    })
    const transport = new StreamableHTTPServerTransport({
      eventStore: new InMemoryEventStore(),
      retryInterval: 1000,
      keepAliveMs: 100
    })
    res.on("close", () => {
      void transport.close()
      void mcp.close()
    })
    void mcp.connect(transport).then(() => transport.handleRequest(req, res))
  })
  return exchange(server, { "mcp-protocol-version": "2025-11-25" }, {
    jsonrpc: "2.0",
    id: 1,
    method: "tools/call",
    params: { name: "count", arguments: {}, _meta: { progressToken: "count-1" } }
  })
}

/**
 * 2026-07-28, `@modelcontextprotocol/server` 2.x: `createMcpHandler` behind the SDK's Node adapter,
 * keepalive comments every 100 ms, and a `subscriptions/listen` request. The server acknowledges,
 * changes its tools 150 ms later, updates the subscribed resource 150 ms after that, and shuts
 * down 150 ms later, which closes the subscription with its result.
 */
export const record2026Listen = (): Promise<Recording> => {
  const handler = createMcpHandler(() =>
    new McpServer({ name: "streamguard-recording", version: "1.0.0" }, {
      capabilities: { tools: { listChanged: true }, resources: { subscribe: true } }
    }), { keepAliveMs: 100, legacy: "reject" })
  const node = toNodeHandler(handler)
  // The adapter's types are written for `exactOptionalPropertyTypes: false`; a Node request fits.
  const server = Http.createServer((req, res) => void node(req as unknown as Parameters<typeof node>[0], res))
  return exchange(
    server,
    { "mcp-protocol-version": "2026-07-28", "mcp-method": "subscriptions/listen" },
    {
      jsonrpc: "2.0",
      id: 1,
      method: "subscriptions/listen",
      params: {
        notifications: { toolsListChanged: true, resourceSubscriptions: ["file:///notes.txt"] },
        _meta: {
          "io.modelcontextprotocol/protocolVersion": "2026-07-28",
          "io.modelcontextprotocol/clientCapabilities": {},
          "io.modelcontextprotocol/clientInfo": { name: "streamguard-recording", version: "1.0.0" }
        }
      }
    },
    async () => {
      await sleep(150)
      handler.notify.toolsChanged()
      await sleep(150)
      handler.notify.resourceUpdated("file:///notes.txt")
      await sleep(150)
      await handler.close()
    }
  )
}
