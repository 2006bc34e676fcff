import * as StreamEvent from "@streamguard/core/StreamEvent"
import type { Dialect } from "@streamguard/protocols/Dialect"

/** The dialects the simulator serves (Gemini has no endpoint here yet). */
export type SimDialect = "openaiChat" | "openaiResponses" | "anthropic" | "ollama" | "mcp"

type Event = StreamEvent.StreamEvent<unknown>

/** What the renderer needs to know about the request it answers. */
export interface Meta {
  readonly id: string
  readonly model: string
  readonly includeUsage: boolean
  /** MCP: the JSON-RPC id to answer and the client's progress token, if it sent one. */
  readonly rpcId: string | number | null
  readonly progressToken: string | number | undefined
  /** Epoch milliseconds from the Effect Clock. */
  readonly now: () => number
  readonly inputTokens: number
}

/**
 * Turns simulator actions into a dialect's payloads, as `StreamEvent`s for the dialect's
 * `encode`. Stateful (sequence numbers, the text so far) and used by one response only.
 */
export interface Renderer {
  readonly opening: () => ReadonlyArray<Event>
  readonly chunk: (text: string) => ReadonlyArray<Event>
  readonly keepalive: () => ReadonlyArray<Event>
  readonly done: () => ReadonlyArray<Event>
  readonly error: (errorType: string | undefined, message: string | undefined) => ReadonlyArray<Event>
  /** The non-streaming response body for the text so far. */
  readonly json: () => unknown
  /** The text written so far. */
  readonly text: () => string
}

const chunk = (value: unknown): Event => StreamEvent.Chunk({ value, bytes: 0 })
const lifecycle = (value: unknown): Event => StreamEvent.Keepalive({ value, bytes: 0 })
const comment: Event = StreamEvent.Keepalive({ bytes: 0 })
const done = (value?: unknown): Event => StreamEvent.Done({ value, bytes: 0 })
const errorSignal = (payload: unknown, errorType: string, message: string): Event =>
  StreamEvent.ErrorSignal({ payload, errorType, message, bytes: 0 })

const seconds = (millis: number) => Math.floor(millis / 1000)

/** The provider's own default error for an in-band failure. */
export const defaultErrorType = (dialect: SimDialect): string => {
  switch (dialect) {
    case "anthropic":
      return "overloaded_error"
    case "mcp":
      return "-32603"
    default:
      return "server_error"
  }
}

const defaultMessage = (dialect: SimDialect): string =>
  dialect === "anthropic" ? "Overloaded" : "The server had an error while processing your request. Sorry about that!"

interface State {
  texts: Array<string>
  sequence: number
}

const openaiChat = (meta: Meta, state: State): Renderer => {
  const id = `chatcmpl-${meta.id}`
  const created = seconds(meta.now())
  const base = (choices: ReadonlyArray<unknown>) => ({
    id,
    object: "chat.completion.chunk",
    created,
    model: meta.model,
    system_fingerprint: "fp_sim",
    choices,
    ...(meta.includeUsage ? { usage: null } : {})
  })
  const choice = (delta: unknown, finishReason: string | null) => ({
    index: 0,
    delta,
    logprobs: null,
    finish_reason: finishReason
  })
  const usage = () => ({
    prompt_tokens: meta.inputTokens,
    completion_tokens: state.texts.length,
    total_tokens: meta.inputTokens + state.texts.length
  })
  return {
    opening: () => [lifecycle(base([choice({ role: "assistant", content: "", refusal: null }, null)]))],
    chunk: (text) => [chunk(base([choice({ content: text }, null)]))],
    keepalive: () => [comment],
    done: () => [
      lifecycle(base([choice({}, "stop")])),
      ...(meta.includeUsage ? [lifecycle({ ...base([]), usage: usage() })] : []),
      done()
    ],
    error: (errorType, message) => {
      const type = errorType ?? defaultErrorType("openaiChat")
      const text = message ?? defaultMessage("openaiChat")
      return [errorSignal({ error: { message: text, type, param: null, code: null } }, type, text)]
    },
    json: () => ({
      id,
      object: "chat.completion",
      created,
      model: meta.model,
      choices: [{
        index: 0,
        message: { role: "assistant", content: state.texts.join(""), refusal: null },
        logprobs: null,
        finish_reason: "stop"
      }],
      usage: usage(),
      system_fingerprint: "fp_sim"
    }),
    text: () => state.texts.join("")
  }
}

const openaiResponses = (meta: Meta, state: State): Renderer => {
  const id = `resp_${meta.id}`
  const itemId = `msg_${meta.id}`
  const createdAt = seconds(meta.now())
  const event = (type: string, fields: Record<string, unknown>) => ({
    type,
    ...fields,
    sequence_number: state.sequence++
  })
  const part = () => ({ type: "output_text", annotations: [], logprobs: [], text: state.texts.join("") })
  const item = (status: string) => ({
    id: itemId,
    type: "message",
    status,
    content: status === "completed" ? [part()] : [],
    role: "assistant"
  })
  const response = (status: string) => ({
    id,
    object: "response",
    created_at: createdAt,
    status,
    error: null,
    incomplete_details: null,
    model: meta.model,
    output: status === "completed" ? [item("completed")] : [],
    usage: status === "completed" ?
      {
        input_tokens: meta.inputTokens,
        input_tokens_details: { cached_tokens: 0 },
        output_tokens: state.texts.length,
        output_tokens_details: { reasoning_tokens: 0 },
        total_tokens: meta.inputTokens + state.texts.length
      } :
      null
  })
  const at = { item_id: itemId, output_index: 0, content_index: 0 }
  return {
    opening: () => [
      lifecycle(event("response.created", { response: response("in_progress") })),
      lifecycle(event("response.in_progress", { response: response("in_progress") })),
      lifecycle(event("response.output_item.added", { output_index: 0, item: item("in_progress") })),
      lifecycle(event("response.content_part.added", { ...at, part: { ...part(), text: "" } }))
    ],
    chunk: (text) => [chunk(event("response.output_text.delta", { ...at, delta: text, logprobs: [] }))],
    keepalive: () => [lifecycle(event("keepalive", {}))],
    done: () => [
      lifecycle(event("response.output_text.done", { ...at, text: state.texts.join(""), logprobs: [] })),
      lifecycle(event("response.content_part.done", { ...at, part: part() })),
      lifecycle(event("response.output_item.done", { output_index: 0, item: item("completed") })),
      done(event("response.completed", { response: response("completed") }))
    ],
    error: (errorType, message) => {
      const type = errorType ?? defaultErrorType("openaiResponses")
      const text = message ?? defaultMessage("openaiResponses")
      return [
        errorSignal(event("error", { error: { type, code: type, message: text, param: null } }), type, text)
      ]
    },
    json: () => response("completed"),
    text: () => state.texts.join("")
  }
}

const anthropic = (meta: Meta, state: State): Renderer => {
  const id = `msg_${meta.id}`
  const usage = () => ({ input_tokens: meta.inputTokens, output_tokens: state.texts.length })
  const ping = lifecycle({ type: "ping" })
  return {
    opening: () => [
      lifecycle({
        type: "message_start",
        message: {
          id,
          type: "message",
          role: "assistant",
          model: meta.model,
          content: [],
          stop_reason: null,
          stop_sequence: null,
          usage: { input_tokens: meta.inputTokens, output_tokens: 1 }
        }
      }),
      lifecycle({ type: "content_block_start", index: 0, content_block: { type: "text", text: "" } }),
      ping
    ],
    chunk: (text) => [chunk({ type: "content_block_delta", index: 0, delta: { type: "text_delta", text } })],
    keepalive: () => [ping],
    done: () => [
      lifecycle({ type: "content_block_stop", index: 0 }),
      lifecycle({
        type: "message_delta",
        delta: { stop_reason: "end_turn", stop_sequence: null },
        usage: { output_tokens: state.texts.length }
      }),
      done({ type: "message_stop" })
    ],
    error: (errorType, message) => {
      const type = errorType ?? defaultErrorType("anthropic")
      const text = message ?? defaultMessage("anthropic")
      return [errorSignal({ type: "error", error: { type, message: text } }, type, text)]
    },
    json: () => ({
      id,
      type: "message",
      role: "assistant",
      model: meta.model,
      content: [{ type: "text", text: state.texts.join("") }],
      stop_reason: "end_turn",
      stop_sequence: null,
      usage: usage()
    }),
    text: () => state.texts.join("")
  }
}

const ollama = (meta: Meta, state: State): Renderer => {
  const started = meta.now()
  const createdAt = () => new Date(meta.now()).toISOString()
  const final = (content: string) => {
    // Ollama reports durations in nanoseconds.
    const total = Math.max(0, meta.now() - started) * 1_000_000
    return {
      model: meta.model,
      created_at: createdAt(),
      message: { role: "assistant", content },
      done_reason: "stop",
      done: true,
      total_duration: total,
      load_duration: 0,
      prompt_eval_count: meta.inputTokens,
      prompt_eval_duration: 0,
      eval_count: state.texts.length,
      eval_duration: total
    }
  }
  return {
    opening: () => [],
    chunk: (text) => [
      chunk({ model: meta.model, created_at: createdAt(), message: { role: "assistant", content: text }, done: false })
    ],
    // NDJSON has no keepalive: an Ollama stream is silent while the model thinks.
    keepalive: () => [],
    done: () => [done(final(""))],
    error: (errorType, message) => {
      const text = message ?? defaultMessage("ollama")
      return [errorSignal({ error: text }, errorType ?? defaultErrorType("ollama"), text)]
    },
    json: () => final(state.texts.join("")),
    text: () => state.texts.join("")
  }
}

const mcp = (meta: Meta, state: State): Renderer => {
  const result = () => ({
    jsonrpc: "2.0",
    id: meta.rpcId,
    result: { content: [{ type: "text", text: state.texts.join("") }], isError: false }
  })
  return {
    opening: () => [],
    // Progress is only sent to a client that asked for it with a progress token; otherwise the
    // tokens go out as log notifications, which MCP servers send unasked.
    chunk: (text) => [
      chunk(
        meta.progressToken === undefined ?
          { jsonrpc: "2.0", method: "notifications/message", params: { level: "info", data: text } } :
          {
            jsonrpc: "2.0",
            method: "notifications/progress",
            params: { progressToken: meta.progressToken, progress: state.texts.length, message: text }
          }
      )
    ],
    keepalive: () => [comment],
    done: () => [done(result())],
    error: (errorType, message) => {
      const code = Number(errorType ?? defaultErrorType("mcp"))
      const text = message ?? "Internal error"
      return [
        errorSignal(
          { jsonrpc: "2.0", id: meta.rpcId, error: { code: Number.isFinite(code) ? code : -32603, message: text } },
          String(code),
          text
        )
      ]
    },
    json: result,
    text: () => state.texts.join("")
  }
}

const makers: Record<SimDialect, (meta: Meta, state: State) => Renderer> = {
  openaiChat,
  openaiResponses,
  anthropic,
  ollama,
  mcp
}

/** A renderer for one response. `chunk` also remembers the text, for usage and final bodies. */
export const make = (dialect: SimDialect, meta: Meta): Renderer => {
  const state: State = { texts: [], sequence: 0 }
  const renderer = makers[dialect](meta, state)
  return {
    ...renderer,
    chunk: (text) => {
      state.texts.push(text)
      return renderer.chunk(text)
    }
  }
}

/** The provider's JSON error body for an HTTP error status. */
export const httpErrorBody = (dialect: SimDialect, status: number, rpcId: string | number | null): unknown => {
  const message = status === 429 ?
    "Rate limit reached for requests. Please try again later." :
    `The simulator answered with HTTP ${status}, as the scenario asked.`
  switch (dialect) {
    case "anthropic": {
      const type = status === 429 ?
        "rate_limit_error" :
        status === 529 ?
        "overloaded_error" :
        status >= 500 ?
        "api_error" :
        "invalid_request_error"
      return { type: "error", error: { type, message } }
    }
    case "ollama":
      return { error: message }
    case "mcp":
      return { jsonrpc: "2.0", id: rpcId, error: { code: -32603, message } }
    default:
      return {
        error: {
          message,
          type: status === 429 ? "requests" : status >= 500 ? "server_error" : "invalid_request_error",
          param: null,
          code: status === 429 ? "rate_limit_exceeded" : null
        }
      }
  }
}

/**
 * A renderer for a dialect the simulator has no hand-made payloads for (Gemini, a custom
 * `sse(...)`), built from the dialect's own writers (`opening`, `textEvent`, `closing`, `ping`,
 * `errorEvent`), so the bytes are still the ones its `decode` reads back.
 */
export const fromDialect = (dialect: Dialect<any>, meta: Meta): Renderer => {
  const texts: Array<string> = []
  const response = { id: meta.id, model: meta.model }
  return {
    opening: () => dialect.opening(response),
    chunk: (text) => {
      texts.push(text)
      return [dialect.textEvent(text, response)]
    },
    keepalive: () => [dialect.ping],
    done: () => dialect.closing(response),
    error: (errorType, message) => [
      dialect.errorEvent({ type: errorType ?? "server_error", message: message ?? "The upstream failed." })
    ],
    json: () => ({ text: texts.join("") }),
    text: () => texts.join("")
  }
}

/** Whether a dialect name is one the simulator renders by hand. */
export const isSimDialect = (name: string): name is SimDialect =>
  name === "openaiChat" || name === "openaiResponses" || name === "anthropic" || name === "ollama" || name === "mcp"
