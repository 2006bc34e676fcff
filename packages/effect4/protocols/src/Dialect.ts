/**
 * A provider's wire dialect: how its response bytes mean content, keepalive, done or error, and
 * how to write those events back as bytes.
 *
 * @since 0.1.0
 */
import { UnexpectedEnd } from "@streamguard/core/GuardError"
import type * as StreamEvent from "@streamguard/core/StreamEvent"
import type * as Kernel from "@streamguard/kernel/protocols/Dialect"
import type { NonEmptyReadonlyArray } from "effect/Array"
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Pull from "effect/Pull"
import * as Stream from "effect/Stream"
import type { EventTooLarge, ProtocolError } from "./ProtocolError.js"

export type {
  /**
   * @since 0.1.0
   * @category models
   */
  DecodeOptions,
  /**
   * One response's decoding state, for transports that read bytes themselves (a socket's data
   * callback): each call frames and classifies one network read synchronously, with no Effect per
   * read. Works for any split of the input; a returned failure (plain data: `ProtocolError.fromFailure`
   * makes its error) ends decoding.
   *
   * @since 0.1.0
   * @category models
   */
  Decoder,
  /**
   * The names every package shares (see ARCHITECTURE.md).
   *
   * @since 0.1.0
   * @category models
   */
  DialectName,
  /**
   * @since 0.1.0
   * @category models
   */
  InBandError,
  /**
   * @since 0.1.0
   * @category models
   */
  ResponseMeta,
  /**
   * @since 0.1.0
   * @category models
   */
  StreamKind,
  /**
   * @since 0.1.0
   * @category models
   */
  StreamRequest,
  /**
   * @since 0.1.0
   * @category models
   */
  Usage
} from "@streamguard/kernel/protocols/Dialect"

export {
  /**
   * The default `maxEventBytes`: 1 MiB.
   *
   * @since 0.1.0
   * @category constants
   */
  defaultMaxEventBytes,
  /**
   * Whether an event ends the stream (`Done` or `ErrorSignal`).
   *
   * @since 0.1.0
   * @category guards
   */
  isTerminal
} from "@streamguard/kernel/protocols/Dialect"

/**
 * A dialect: the kernel's (its decoder, classifiers and writers, all synchronous) with `decode`,
 * the same decoding over a `Stream`. `A` is one decoded frame's payload: the parsed JSON object
 * the provider sent (an OpenAI chunk, an Anthropic event, a JSON-RPC message, ...). Payloads are
 * typed loosely with interfaces and not validated per frame: this is the hot path.
 *
 * @since 0.1.0
 * @category models
 */
export interface Dialect<A = unknown> extends Kernel.Dialect<A> {
  /**
   * Bytes to events, incrementally: works for any split of the input into network chunks.
   * Fails with `ProtocolError` (bad JSON, bad framing) or `EventTooLarge`; never throws.
   * A stream that ends without the dialect's done signal simply ends: the guard reports it as
   * `UnexpectedEnd` (dialects whose done is implicit, like Gemini's `finishReason`, emit `Done`
   * themselves at the end). Events decoded before a failure come out first, so a relay can
   * forward them.
   */
  readonly decode: <E, R>(
    bytes: Stream.Stream<Uint8Array, E, R>,
    options?: Kernel.DecodeOptions
  ) => Stream.Stream<StreamEvent.StreamEvent<A>, E | ProtocolError | EventTooLarge, R>
}

/**
 * `decode`, ended the way the guard ends it, for tests and tools that run without the guard:
 * the stream stops after the first `Done` or `ErrorSignal` (included), and fails with core's
 * `UnexpectedEnd` when the bytes end before either.
 *
 * @since 0.1.0
 * @category combinators
 */
export const decodeComplete = <A, E, R>(
  dialect: Dialect<A>,
  bytes: Stream.Stream<Uint8Array, E, R>,
  options?: Kernel.DecodeOptions
): Stream.Stream<StreamEvent.StreamEvent<A>, E | ProtocolError | EventTooLarge | UnexpectedEnd, R> =>
  Stream.transformPull(dialect.decode(bytes, options), (pull) =>
    Effect.sync(() => {
      type Events = NonEmptyReadonlyArray<StreamEvent.StreamEvent<A>>
      let chunks = 0
      let ended = false
      const upToTheEnd = (events: Events): Events => {
        const end = events.findIndex((event) => {
          if (event._tag === "Chunk") chunks++
          return event._tag === "Done" || event._tag === "ErrorSignal"
        })
        if (end === -1) return events
        ended = true
        return events.slice(0, end + 1) as unknown as Events
      }
      type Next = Pull.Pull<Events, E | ProtocolError | EventTooLarge | UnexpectedEnd>
      const next: Next = Effect.suspend((): Next =>
        ended ? Cause.done() : Effect.matchCauseEffect(pull, {
          onSuccess: (events): Next => Effect.succeed(upToTheEnd(events)),
          onFailure: (cause): Next =>
            Pull.isDoneCause(cause)
              ? Effect.fail(new UnexpectedEnd({ elapsedMillis: 0, chunks }))
              : Effect.failCause(cause)
        })
      )
      return next
    }))
