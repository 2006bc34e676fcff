/**
 * What every dialect's decoding shares: its `decoder` (the framing, with the dialect's classifier
 * inside) and the JSON helpers its classifier reads frames with.
 *
 * @internal
 */
import type * as StreamEvent from "../../StreamEvent.js"
import type { DecodeOptions, Decoder, DialectName } from "../Dialect.js"
import { defaultMaxEventBytes } from "../Dialect.js"
import type { ProtocolError } from "../ProtocolError.js"
import { excerpt, protocolError } from "../ProtocolError.js"
import type { Classifier } from "./framing.js"
import { NdjsonFramer, SseFramer } from "./framing.js"
import { JsonArrayFramer, SseOrJsonArrayFramer } from "./jsonArray.js"

/**
 * A dialect's `decoder`: a fresh framer per response, which frames each network read and
 * classifies its frames in one synchronous pass.
 *
 * @internal
 */
export const decoderOf = <A>(
  name: DialectName,
  framing: "sse" | "ndjson" | "sse-or-json-array",
  makeClassifier: (options: DecodeOptions | undefined) => Classifier<A>
) =>
(options?: DecodeOptions): Decoder<A> => {
  const limit = options?.maxEventBytes ?? defaultMaxEventBytes
  const classifier = makeClassifier(options)
  switch (framing) {
    case "sse":
      return new SseFramer(name, limit, classifier)
    case "ndjson":
      return new NdjsonFramer(name, limit, classifier)
    case "sse-or-json-array":
      return new SseOrJsonArrayFramer(
        () => new SseFramer(name, limit, classifier),
        () => new JsonArrayFramer(name, limit, classifier)
      )
  }
}

/**
 * Marks a frame whose data is not JSON.
 *
 * @internal
 */
export const invalid: unique symbol = Symbol.for("@streamguard/protocols/invalidJson")

/**
 * `JSON.parse`, with the failure as a value: catching is the only way to learn that JSON is bad.
 *
 * @internal
 */
export const parse = (data: string): unknown => {
  try {
    return JSON.parse(data)
  } catch {
    return invalid
  }
}

/** @internal */
export const invalidJson = (dialect: DialectName, data: string): ProtocolError =>
  protocolError(dialect, "invalid JSON in a frame", excerpt(data))

/** @internal */
export const notAnObject = (dialect: DialectName, data: string): ProtocolError =>
  protocolError(dialect, "a frame is not a JSON object", excerpt(data))

/** @internal */
export const isObject = (u: unknown): u is { readonly [key: string]: unknown } =>
  typeof u === "object" && u !== null && !Array.isArray(u)

/** The `type` a JSON payload names, if it names one. @internal */
export const typeOf = (u: unknown): string | undefined => isObject(u) && typeof u.type === "string" ? u.type : undefined

/** @internal */
export const nonEmpty = (u: unknown): boolean => typeof u === "string" && u.length > 0

/** @internal */
export const stringOr = (u: unknown, fallback: string): string =>
  typeof u === "string" ? u : typeof u === "number" ? String(u) : fallback

/**
 * A classifier for dialects that need a JSON object per frame: parses, rejects non-objects, and
 * hands the object on.
 *
 * @internal
 */
export const jsonClassifier = <A>(
  dialect: DialectName,
  classify: (
    out: Array<StreamEvent.StreamEvent<A>>,
    type: string,
    value: A,
    bytes: number
  ) => ProtocolError | undefined,
  options?: {
    /** Data that is not JSON but means something (`[DONE]`). Return true when handled. */
    readonly raw?: (out: Array<StreamEvent.StreamEvent<A>>, type: string, data: string, bytes: number) => boolean
    readonly end?: (out: Array<StreamEvent.StreamEvent<A>>) => void
  }
): Classifier<A> => ({
  frame: (out, type, data, _id, bytes) => {
    if (options?.raw !== undefined && options.raw(out, type, data, bytes)) return undefined
    const value = parse(data)
    if (value === invalid) return invalidJson(dialect, data)
    if (!isObject(value)) return notAnObject(dialect, data)
    return classify(out, type, value as A, bytes)
  },
  end: options?.end ?? (() => {})
})
