/**
 * What an upstream LLM stream says, once its bytes are framed and decoded: content, proof of
 * life, the end, or an in-band error. The guard reads only these four meanings. Plain objects,
 * made here for every Effect line (each line's `StreamEvent` module is this one).
 *
 * @since 0.1.0
 */
/**
 * One decoded upstream event.
 *
 * - `Chunk`: content or progress (tokens, reasoning, tool-call deltas, MCP progress). Resets both
 *   the `chunk` (liveness) and the `progress` timers, and ends the `firstChunk` phase. Which
 *   content is reasoning (for the `reasoning` limit) the guard learns from its `isReasoning`.
 * - `Keepalive`: proves the connection lives (SSE comments, Anthropic `ping`, lifecycle frames
 *   such as `message_start`), carries no progress. Resets only the `chunk` timer. `value` keeps
 *   the frame's payload when it has one, so a relay can forward it; SSE comments have none. Which
 *   keepalives are pings (what the observer counts) the guard learns from its `isPing`.
 * - `Done`: the upstream's own end signal (`data: [DONE]`, `message_stop`, ...), with its payload
 *   when it has one (final usage). The guard ends the stream successfully and stops pulling.
 * - `ErrorSignal`: the upstream reported an error in-band. The guard fails with
 *   `UpstreamErrorSignal`.
 *
 * `bytes` is the raw size of the event on the wire (for metrics); 0 when unknown.
 *
 * @since 0.1.0
 * @category models
 */
export type StreamEvent<A> =
  | { readonly _tag: "Chunk"; readonly value: A; readonly bytes: number }
  | { readonly _tag: "Keepalive"; readonly value: A | undefined; readonly bytes: number }
  | { readonly _tag: "Done"; readonly value: A | undefined; readonly bytes: number }
  | {
    readonly _tag: "ErrorSignal"
    readonly payload: unknown
    /** The provider's error type or code (`overloaded_error`, `server_error`, `-32603`). */
    readonly errorType: string
    readonly message: string
    readonly bytes: number
  }

/**
 * @since 0.1.0
 * @category models
 */
export declare namespace StreamEvent {
  /**
   * @since 0.1.0
   */
  export type Chunk<A> = Extract<StreamEvent<A>, { readonly _tag: "Chunk" }>
  /**
   * @since 0.1.0
   */
  export type Keepalive<A> = Extract<StreamEvent<A>, { readonly _tag: "Keepalive" }>
  /**
   * @since 0.1.0
   */
  export type Done<A> = Extract<StreamEvent<A>, { readonly _tag: "Done" }>
  /**
   * @since 0.1.0
   */
  export type ErrorSignal = Extract<StreamEvent<never>, { readonly _tag: "ErrorSignal" }>
  /**
   * The event's type as the errors and logs name it.
   *
   * @since 0.1.0
   */
  export type Type = "chunk" | "keepalive" | "done" | "error_signal"
}

/**
 * The content type of a union of events: `ValueOf<StreamEvent<string>>` is `string`. Functions
 * that take a stream of events read `A` with this rather than by inferring it from
 * `StreamEvent<A>`: TypeScript matches a union's members to each other without regard to their
 * tags, so it would pair a `Keepalive`'s `value: A | undefined` with `Chunk`'s `value: A` and infer
 * `A | undefined`.
 *
 * @since 0.1.0
 * @category models
 */
export type ValueOf<S> = S extends { readonly _tag: "Chunk"; readonly value: infer A } ? A : never

/**
 * @since 0.1.0
 * @category constructors
 */
export const Chunk = <A>(args: { readonly value: A; readonly bytes: number }): StreamEvent<A> => ({
  _tag: "Chunk",
  value: args.value,
  bytes: args.bytes
})

/**
 * A keepalive, with the frame it carries when it has one. The value's type is inferred from the
 * argument only (`NoInfer` on the result), so a value-less keepalive is a `StreamEvent<never>`,
 * which fits any stream, rather than a `StreamEvent<string | undefined>` guessed from the context.
 *
 * @since 0.1.0
 * @category constructors
 */
export const Keepalive = <A = never>(
  args: { readonly value?: A | undefined; readonly bytes: number }
): StreamEvent<NoInfer<A>> => ({ _tag: "Keepalive", value: args.value, bytes: args.bytes })

/**
 * The end, with its payload when it has one. Inferred like `Keepalive`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const Done = <A = never>(
  args: { readonly value?: A | undefined; readonly bytes: number }
): StreamEvent<NoInfer<A>> => ({ _tag: "Done", value: args.value, bytes: args.bytes })

/**
 * @since 0.1.0
 * @category constructors
 */
export const ErrorSignal: (
  args: {
    readonly payload: unknown
    readonly errorType: string
    readonly message: string
    readonly bytes: number
  }
) => StreamEvent<never> = (args) => ({
  _tag: "ErrorSignal",
  payload: args.payload,
  errorType: args.errorType,
  message: args.message,
  bytes: args.bytes
})

/**
 * @since 0.1.0
 * @category guards
 */
export const isChunk = <A>(event: StreamEvent<A>): event is StreamEvent.Chunk<A> => event._tag === "Chunk"

/**
 * @since 0.1.0
 * @category getters
 */
export const type = <A>(event: StreamEvent<A>): StreamEvent.Type => {
  switch (event._tag) {
    case "Chunk":
      return "chunk"
    case "Keepalive":
      return "keepalive"
    case "Done":
      return "done"
    case "ErrorSignal":
      return "error_signal"
  }
}
