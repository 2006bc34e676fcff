import type * as StreamEvent from "@streamguard/core-effect3/StreamEvent"
import * as Channel from "effect/Channel"
import * as Chunk from "effect/Chunk"
import * as Stream from "effect/Stream"
import type { DecodeOptions, Dialect, DialectName } from "../Dialect.js"
import { defaultMaxEventBytes } from "../Dialect.js"
import type { EventTooLarge } from "../ProtocolError.js"
import { excerpt, ProtocolError } from "../ProtocolError.js"
import type { Classifier, Failure, Framer } from "./framing.js"
import { NdjsonFramer, SseFramer } from "./framing.js"
import { JsonArrayFramer, SseOrJsonArrayFramer } from "./jsonArray.js"

/**
 * The `decoder` and `decode` of a dialect. `decoder` frames each network chunk and classifies its
 * frames in one synchronous pass; `decode` runs it as a channel that writes one output chunk per
 * input chunk. Events decoded before a failure are written first, so a relay can forward them.
 *
 * @internal
 */
export const decoding = <A>(
  name: DialectName,
  framing: "sse" | "ndjson" | "sse-or-json-array",
  makeClassifier: (options: DecodeOptions | undefined) => Classifier<A>
): Pick<Dialect<A>, "decode" | "decoder"> => {
  const decoder = (options?: DecodeOptions): Framer<A> => {
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
  const decode = <E, R>(
    bytes: Stream.Stream<Uint8Array, E, R>,
    options?: DecodeOptions
  ): Stream.Stream<StreamEvent.StreamEvent<A>, E | ProtocolError | EventTooLarge, R> => {
    const channel = Channel.suspend(() => {
      const framer = decoder(options)
      const emit = (
        out: Array<StreamEvent.StreamEvent<A>>,
        failure: Failure | undefined,
        next: Channel.Channel<Chunk.Chunk<StreamEvent.StreamEvent<A>>, Chunk.Chunk<Uint8Array>, E | Failure, E>
      ): Channel.Channel<Chunk.Chunk<StreamEvent.StreamEvent<A>>, Chunk.Chunk<Uint8Array>, E | Failure, E> => {
        const after = failure === undefined ? next : Channel.fail(failure)
        return out.length === 0 ? after : Channel.zipRight(Channel.write(Chunk.unsafeFromArray(out)), after)
      }
      const loop: Channel.Channel<
        Chunk.Chunk<StreamEvent.StreamEvent<A>>,
        Chunk.Chunk<Uint8Array>,
        E | Failure,
        E
      > = Channel.readWithCause({
        onInput: (input: Chunk.Chunk<Uint8Array>) => {
          const out: Array<StreamEvent.StreamEvent<A>> = []
          let failure: Failure | undefined
          for (const chunk of input) {
            failure = framer.push(chunk, out)
            if (failure !== undefined) break
          }
          return emit(out, failure, loop)
        },
        onFailure: Channel.failCause,
        onDone: () => {
          const out: Array<StreamEvent.StreamEvent<A>> = []
          return emit(out, framer.end(out), Channel.void)
        }
      })
      return loop
    })
    return Stream.pipeThroughChannelOrFail(bytes, channel)
  }
  return { decode, decoder }
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
  new ProtocolError({ dialect, reason: "invalid JSON in a frame", excerpt: excerpt(data) })

/** @internal */
export const notAnObject = (dialect: DialectName, data: string): ProtocolError =>
  new ProtocolError({ dialect, reason: "a frame is not a JSON object", excerpt: excerpt(data) })

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
