/**
 * The floor: undici's `request()`, a minimal SSE line split and `JSON.parse`. No timeouts of its
 * own beyond undici's defaults, no error taxonomy: what a careful hand-written client costs.
 *
 * @since 0.1.0
 */
import { request } from "undici"
import type { Consumer, Held, OnChunk } from "./Consumer.js"
import { chatBody } from "./Simulator.js"

const read = async (
  url: string,
  model: string,
  onChunk: OnChunk,
  signal?: AbortSignal,
  bodyTimeout?: number
): Promise<void> => {
  const response = await request(`${url}/v1/chat/completions`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: chatBody(model),
    ...(signal === undefined ? {} : { signal }),
    ...(bodyTimeout === undefined ? {} : { bodyTimeout })
  })
  const decoder = new TextDecoder()
  let rest = ""
  for await (const bytes of response.body) {
    const text = rest + decoder.decode(bytes as Uint8Array, { stream: true })
    let start = 0
    let end = text.indexOf("\n", start)
    while (end !== -1) {
      if (text.startsWith("data: ", start)) {
        const data = text.slice(start + 6, end)
        if (data !== "[DONE]") {
          const content = JSON.parse(data)?.choices?.[0]?.delta?.content
          if (typeof content === "string" && content.length > 0) onChunk(content)
        }
      }
      start = end + 1
      end = text.indexOf("\n", start)
    }
    rest = text.slice(start)
  }
}

/**
 * @since 0.1.0
 * @category consumers
 */
export const undiciRaw: Consumer = {
  name: "undiciRaw",
  consume: (url, model, onChunk) => read(url, model, onChunk),
  open: (url, model, onChunk, idleTimeoutMillis): Held => {
    const controller = new AbortController()
    return {
      close: () => controller.abort(),
      ended: read(url, model, onChunk, controller.signal, idleTimeoutMillis).catch(() => undefined)
    }
  },
  dispose: async () => undefined
}
