/**
 * What a stream delivered to its client, however it ended: the content events written, their
 * characters, and the tokens, the upstream's own count when it sent one (its usage object,
 * Anthropic's `message_start` and `message_delta`, the Responses `response.completed`), else an
 * estimate from the characters, marked as such. A stream cut by a timeout, an error or the client
 * leaving can still be accounted for; under `drain` the upstream is read on for its final usage.
 *
 * @since 0.1.0
 */
import { Effect, Metric } from "effect"
import { ownCounter } from "./OwnCounter.js"

/**
 * @since 0.1.0
 * @category models
 */
export interface Delivered {
  /** Content events written to the client. */
  readonly contentEvents: number
  /** Characters of answer text in them (not reasoning, tool-call arguments or frames). */
  readonly characters: number
  /** The prompt's tokens, when the upstream said. */
  readonly inputTokens?: number | undefined
  /** Output tokens: the upstream's count, or about a token per four characters. */
  readonly outputTokens: number
  /** Where the token counts come from. */
  readonly tokens: "upstream" | "estimate"
}

/**
 * The estimate for text the upstream gave no count for: about four characters per token.
 *
 * @since 0.1.0
 * @category constructors
 */
export const estimateTokens = (characters: number): number => Math.ceil(characters / 4)

/**
 * @since 0.1.0
 * @category metrics
 */
export const contentEvents = Metric.counter("streamguard_gateway_delivered_content_events_total", {
  description: "content events written to clients, by upstream",
  incremental: true
})

/**
 * @since 0.1.0
 * @category metrics
 */
export const characters = Metric.counter("streamguard_gateway_delivered_characters_total", {
  description: "characters of answer text written to clients, by upstream",
  incremental: true
})

/**
 * @since 0.1.0
 * @category metrics
 */
export const outputTokens = Metric.counter("streamguard_gateway_delivered_output_tokens_total", {
  description: "output tokens of streams delivered to clients, by upstream and source (upstream or estimate)",
  incremental: true
})

// Each upstream's (and token source's) own series (`ownCounter`).
const countersOf = (upstream: string) => ({
  contentEvents: ownCounter(contentEvents, { upstream }),
  characters: ownCounter(characters, { upstream }),
  upstream: ownCounter(outputTokens, { upstream, source: "upstream" }),
  estimate: ownCounter(outputTokens, { upstream, source: "estimate" })
})

/**
 * Adds one stream's delivery to the counters, under the upstream that served it.
 *
 * @since 0.1.0
 * @category metrics
 */
export const record = (delivered: Delivered, upstream: string): Effect.Effect<void> =>
  Effect.withFiber((fiber) => {
    const counters = countersOf(upstream)
    counters.contentEvents.updateUnsafe(delivered.contentEvents, fiber.context)
    counters.characters.updateUnsafe(delivered.characters, fiber.context)
    counters[delivered.tokens].updateUnsafe(delivered.outputTokens, fiber.context)
    return Effect.void
  })

/**
 * The fields of an in-band error event that say what was delivered before it.
 *
 * @since 0.1.0
 * @category encoding
 */
export const inBand = (delivered: Delivered): Record<string, unknown> => ({
  content_events: delivered.contentEvents,
  characters: delivered.characters,
  ...(delivered.inputTokens === undefined ? {} : { input_tokens: delivered.inputTokens }),
  output_tokens: delivered.outputTokens,
  tokens: delivered.tokens
})
