/**
 * What an upstream LLM stream says, once its bytes are framed and decoded: content, proof of
 * life, the end, or an in-band error. The guard reads only these four meanings. The events are
 * the kernel's plain objects, shared by every Effect line; `$is` and `$match` are Effect's
 * tagged-enum helpers over them.
 *
 * @since 0.1.0
 */
import type * as Events from "@streamguard/kernel/StreamEvent"
import * as Data from "effect/Data"

export * from "@streamguard/kernel/StreamEvent"

interface StreamEventDefinition extends Data.TaggedEnum.WithGenerics<1> {
  readonly taggedEnum: Events.StreamEvent<this["A"]>
}

const helpers = Data.taggedEnum<StreamEventDefinition>()

/**
 * @since 0.1.0
 * @category guards
 */
export const $is = helpers.$is

/**
 * @since 0.1.0
 * @category pattern matching
 */
export const $match = helpers.$match
