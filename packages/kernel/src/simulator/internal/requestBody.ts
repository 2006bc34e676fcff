/**
 * What the simulator reads from a request body, per dialect: the model, whether to stream, and
 * what the dialect's writers need (OpenAI's `include_usage`, MCP's request id and progress
 * token). Other keys are the client's business and are ignored.
 */
import type { SimDialect } from "./render.js"
import * as Shape from "./shape.js"

/** What the simulator reads from a request body. */
export interface Parsed {
  readonly model: string
  readonly stream: boolean
  readonly includeUsage: boolean
  readonly requestId: string | number | null
  readonly progressToken: string | number | undefined
  /** MCP: a scenario named by the tool call (`params.name` or `arguments.scenario`). */
  readonly scenario: string | undefined
  /** Gemini without `alt=sse`: the stream is one JSON array. */
  readonly jsonArray?: boolean
}

const model = Shape.withDefault(Shape.string, () => "")
const maybeBoolean = Shape.optional(Shape.union(Shape.boolean, Shape.literal(null)))
const id = Shape.union(Shape.string, Shape.number)

interface ChatBody {
  readonly model: string
  readonly stream?: boolean | null
  readonly stream_options?: { readonly include_usage?: boolean } | null
}

const ChatBody = Shape.struct<ChatBody>({
  model,
  stream: maybeBoolean,
  stream_options: Shape.optional(
    Shape.union(Shape.struct({ include_usage: Shape.optional(Shape.boolean) }), Shape.literal(null))
  )
})

interface StreamBody {
  readonly model: string
  readonly stream?: boolean | null
}

const StreamBody = Shape.struct<StreamBody>({ model, stream: maybeBoolean })

/** A JSON-RPC request, as far as the simulator reads it. */
export interface RpcBody {
  readonly jsonrpc?: string
  readonly id?: string | number | null
  readonly method: string
  readonly params?: {
    readonly name?: string
    readonly protocolVersion?: string
    readonly arguments?: { readonly scenario?: string }
    readonly _meta?: { readonly progressToken?: string | number }
  }
}

/** The shape of a JSON-RPC request. */
export const RpcBody = Shape.struct<RpcBody>({
  jsonrpc: Shape.optional(Shape.string),
  id: Shape.optional(Shape.union(id, Shape.literal(null))),
  method: Shape.string,
  params: Shape.optional(Shape.struct({
    name: Shape.optional(Shape.string),
    protocolVersion: Shape.optional(Shape.string),
    arguments: Shape.optional(Shape.struct({ scenario: Shape.optional(Shape.string) })),
    _meta: Shape.optional(Shape.struct({ progressToken: Shape.optional(id) }))
  }))
})

/** A Gemini request: only `contents` is checked, and only that it is an array. */
export const GeminiBody = Shape.struct<{ readonly contents?: ReadonlyArray<unknown> }>({
  contents: Shape.optional(Shape.array(Shape.unknown))
})

/** A model-call body: only the model and whether to stream matter to the simulator. */
export const modelCall = (model: string, stream: boolean, includeUsage = false): Parsed => ({
  model,
  stream,
  includeUsage,
  requestId: null,
  progressToken: undefined,
  scenario: undefined
})

/** What the simulator reads from a `tools/call` (or any JSON-RPC request it answers with a stream). */
export const rpcCall = (body: RpcBody): Parsed => {
  const name = body.params?.name
  return {
    model: name ?? body.method,
    stream: true,
    includeUsage: false,
    requestId: body.id ?? null,
    progressToken: body.params?._meta?.progressToken,
    scenario: body.params?.arguments?.scenario ?? (name?.startsWith("sim:") === true ? name : undefined)
  }
}

/** A body read, or every mistake in it, one per key path, joined with `; `. */
export type Result = { readonly _tag: "Ok"; readonly parsed: Parsed } | {
  readonly _tag: "Invalid"
  readonly reason: string
}

const decodeWith = <A>(shape: Shape.Field<A>, f: (a: A) => Parsed) => (body: unknown): Result => {
  // A body that is no object is said plainly, not as the shape's whole signature.
  if (!Shape.isRecord(body)) {
    return { _tag: "Invalid", reason: `Expected a JSON object, actual ${Shape.formatUnknown(body)}` }
  }
  const decoded = Shape.decode(shape, body)
  return decoded._tag === "Ok" ?
    { _tag: "Ok", parsed: f(decoded.value) } :
    { _tag: "Invalid", reason: decoded.lines.join("; ") }
}

/** Each body dialect's reader (Gemini's model is in its path: see the routes). */
export const parsers: Record<Exclude<SimDialect, "gemini">, (body: unknown) => Result> = {
  openaiChat: decodeWith(
    ChatBody,
    (body) => modelCall(body.model, body.stream === true, body.stream_options?.include_usage === true)
  ),
  openaiResponses: decodeWith(StreamBody, (body) => modelCall(body.model, body.stream === true)),
  anthropic: decodeWith(StreamBody, (body) => modelCall(body.model, body.stream === true)),
  // Ollama streams unless told not to.
  ollama: decodeWith(StreamBody, (body) => modelCall(body.model, body.stream !== false)),
  mcp: decodeWith(RpcBody, rpcCall)
}
