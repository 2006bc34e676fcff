/**
 * Which parts of a language model's `streamText` stream are content, for `progress` above the
 * SDK's decoder: the same part types in `@effect/ai` (Effect 3) and `effect/ai` (Effect 4).
 *
 * @since 0.1.0
 */
import * as StreamEvent from "../StreamEvent.js"

/**
 * A part of a `streamText` stream, as far as progress cares: its `type`.
 *
 * @since 0.1.0
 * @category models
 */
export interface Part {
  readonly type: string
}

const content: ReadonlySet<string> = new Set([
  "text-delta",
  "reasoning-delta",
  "tool-params-delta",
  "tool-call",
  "tool-result",
  "file"
])

/**
 * Whether a part is content: a text, reasoning or tool-call delta, a whole tool call or result, a
 * file. Starts and ends of blocks, metadata, sources, approvals, errors and the finish part are not.
 *
 * @since 0.1.0
 * @category predicates
 */
export const isContent = (part: Part): boolean => content.has(part.type)

/**
 * A part as a guard event: content is a `Chunk`, anything else a `Keepalive` (it shows the stream
 * alive, but not progressing), each carrying the part.
 *
 * @since 0.1.0
 * @category constructors
 */
export const toEvent = <P extends Part>(part: P): StreamEvent.StreamEvent<P> =>
  isContent(part) ? StreamEvent.Chunk({ value: part, bytes: 0 }) : StreamEvent.Keepalive({ value: part, bytes: 0 })

/**
 * The end of a part stream as a guard event: the provider's stream ends when the answer does.
 *
 * @since 0.1.0
 * @category constructors
 */
export const end: StreamEvent.StreamEvent<never> = StreamEvent.Done({ bytes: 0 })

/**
 * The part a guarded event carries, `undefined` for the end.
 *
 * @since 0.1.0
 * @category getters
 */
export const partOf = <P>(event: StreamEvent.StreamEvent<P>): P | undefined =>
  event._tag === "Chunk" || event._tag === "Keepalive" ? event.value : undefined
