/**
 * The floor: undici's `request()`, a minimal SSE line split and `JSON.parse`. No timeouts of its
 * own beyond undici's defaults, no error taxonomy: what a careful hand-written client costs.
 *
 * @since 0.1.0
 */
import { request } from "undici"
import type { Consumer, Held, OnChunk } from "./Consumer.js"
import * as GatewayKey from "./GatewayKey.js"
import { chatBody } from "./Simulator.js"

/**
 * @since 0.1.0
 * @category models
 */
export interface ReadOptions {
  readonly signal?: AbortSignal | undefined
  /** undici's idle limit between body reads (its default: 300 s). */
  readonly bodyTimeout?: number | undefined
  /** Called once with the response's status, when its headers arrived. */
  readonly onResponse?: ((status: number) => void) | undefined
}

/**
 * Streams `model` from the OpenAI chat endpoint under `url` to its end, calling `onChunk` with each
 * content delta; rejects with undici's error (`BodyTimeoutError`, an abort) when it stops otherwise.
 *
 * @since 0.1.0
 * @category reading
 */
export const read = async (url: string, model: string, onChunk: OnChunk, options: ReadOptions = {}): Promise<void> => {
  const response = await request(`${url}/v1/chat/completions`, {
    method: "POST",
    headers: { "content-type": "application/json", ...GatewayKey.headers },
    body: chatBody(model),
    ...(options.signal === undefined ? {} : { signal: options.signal }),
    ...(options.bodyTimeout === undefined ? {} : { bodyTimeout: options.bodyTimeout })
  })
  options.onResponse?.(response.statusCode)
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
      ended: read(url, model, onChunk, { signal: controller.signal, bodyTimeout: idleTimeoutMillis }).catch(() =>
        undefined
      )
    }
  },
  dispose: async () => undefined
}
