/**
 * The official `openai` package's streaming iterator (`chat.completions.create({ stream: true })`),
 * over Node's built-in fetch: what most applications use today.
 *
 * @since 0.1.0
 */
import OpenAI from "openai"
import type { Consumer, Held, OnChunk } from "./Consumer.js"

const clients = new Map<string, OpenAI>()
const clientFor = (url: string): OpenAI => {
  let client = clients.get(url)
  if (client === undefined) {
    // No retries and a long timeout: the bench measures streaming, not the SDK's recovery.
    client = new OpenAI({ baseURL: `${url}/v1`, apiKey: "sim", maxRetries: 0, timeout: 600_000 })
    clients.set(url, client)
  }
  return client
}

const read = async (url: string, model: string, onChunk: OnChunk, signal?: AbortSignal): Promise<void> => {
  const stream = await clientFor(url).chat.completions.create(
    { model, stream: true, messages: [{ role: "user", content: "hi" }] },
    signal === undefined ? {} : { signal }
  )
  for await (const chunk of stream) {
    const content = chunk.choices[0]?.delta?.content
    if (typeof content === "string" && content.length > 0) onChunk(content)
  }
}

/**
 * @since 0.1.0
 * @category consumers
 */
export const openaiSdk: Consumer = {
  name: "openaiSdk",
  consume: (url, model, onChunk) => read(url, model, onChunk),
  open: (url, model, onChunk): Held => {
    const controller = new AbortController()
    return {
      close: () => controller.abort(),
      ended: read(url, model, onChunk, controller.signal).catch(() => undefined)
    }
  },
  dispose: async () => undefined
}
