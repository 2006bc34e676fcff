/**
 * Which parts of a language model's `streamText` stream are content, for `progress` above the
 * SDK's decoder: the same part types in `@effect/ai` (Effect 3) and `effect/ai` (Effect 4).
 *
 * @since 0.1.0
 */

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
