/**
 * The meter of one relayed stream: it counts what the stream delivers as it is written (content
 * events and their text) and reads the upstream's token counts from any frame that carries them
 * (written or drained), and tells what was `Delivered` at any moment. Mutable and per stream: it
 * runs on the relay's hot path, a few property reads per event.
 *
 * @internal
 */
import type { StreamEvent } from "@streamguard/core"
import type { Dialect } from "@streamguard/protocols"
import type { Delivered } from "../Delivered.js"
import { estimateTokens } from "../Delivered.js"

interface UsageShape {
  readonly prompt_tokens?: unknown
  readonly completion_tokens?: unknown
  readonly input_tokens?: unknown
  readonly output_tokens?: unknown
}

interface Carrier {
  readonly usage?: UsageShape | null
  readonly message?: { readonly usage?: UsageShape | null } | null
  readonly response?: { readonly usage?: UsageShape | null } | null
}

const count = (value: unknown): number | undefined => typeof value === "number" && value >= 0 ? value : undefined

/**
 * @internal
 */
export class UsageMeter<A> {
  contentEvents = 0
  characters = 0
  private inputTokens: number | undefined
  private outputTokens: number | undefined

  constructor(private readonly dialect: Dialect.Dialect<A>) {}

  /** An event written to the client. */
  written(event: StreamEvent.StreamEvent<A>): void {
    if (event._tag === "Chunk") {
      this.contentEvents++
      const text = this.dialect.text(event.value)
      if (text !== undefined) this.characters += text.length
    }
    this.read(event)
  }

  /**
   * Reads the token counts a frame carries: OpenAI Chat's `usage` chunk, Anthropic's
   * `message_start` (`message.usage`, the prompt's) and `message_delta` (`usage`, output so far),
   * the Responses `response.completed` (`response.usage`). Later counts replace earlier ones.
   */
  read(event: StreamEvent.StreamEvent<A>): void {
    if (event._tag === "ErrorSignal") return
    const value = event.value as Carrier | undefined
    if (typeof value !== "object" || value === null) return
    // Anthropic's `message_start` counts the prompt; its output count is a placeholder, which a
    // cut stream would otherwise report as the upstream's.
    const opening = value.message?.usage
    if (typeof opening === "object" && opening !== null) {
      this.inputTokens = count(opening.input_tokens) ?? this.inputTokens
      return
    }
    const usage = value.usage ?? value.response?.usage
    if (typeof usage !== "object" || usage === null) return
    this.inputTokens = count(usage.prompt_tokens ?? usage.input_tokens) ?? this.inputTokens
    this.outputTokens = count(usage.completion_tokens ?? usage.output_tokens) ?? this.outputTokens
  }

  /** What was delivered so far. */
  snapshot(): Delivered {
    return {
      contentEvents: this.contentEvents,
      characters: this.characters,
      inputTokens: this.inputTokens,
      outputTokens: this.outputTokens ?? estimateTokens(this.characters),
      tokens: this.outputTokens === undefined ? "estimate" : "upstream"
    }
  }
}
