/**
 * The contract between a guarded stream and its transport: what the transport tells the stream
 * (`Feed`), what the stream may tell the transport (`Control`), and what a stream is made of
 * (`Options`, `Emit`). Each line's `Guard.Feed` is this one, with what its observer needs besides.
 *
 * @since 0.1.0
 */
import type { Kind, Phase } from "./Limits.js"
import type { StreamEvent } from "./StreamEvent.js"
import type { Next, StreamSnapshot } from "./StreamSnapshot.js"

/**
 * What a transport may be told to do.
 *
 * @since 0.1.0
 * @category models
 */
export interface Control {
  /** Stop at once: destroy the connection. Called once, at whatever ends the stream. */
  readonly abort: () => void
  /** Stop reading for now (the consumer is behind). */
  readonly pause?: (() => void) | undefined
  /** Read again (the consumer took what was buffered). */
  readonly resume?: (() => void) | undefined
  /**
   * The upstream said it is done: finish the response cleanly if it completes at once (its
   * connection may then be reused), else abort. Without it, `abort`.
   */
  readonly release?: (() => void) | undefined
}

/**
 * The push side of a guarded stream: what its transport tells it. Every method is synchronous and
 * safe to call from any callback, any number of times; calls after the end are ignored. Each one
 * finishes its own changes before it hands anything to the consumer, which may run before it
 * returns.
 *
 * @since 0.1.0
 * @category models
 */
export interface Feed<A, E> {
  /** The request entered a phase before the response: that phase's limit counts from now. */
  readonly phase: (phase: Phase) => void
  /** The response started: `chunk` and `progress` count from now. */
  readonly opened: () => void
  /** One network read's events, in order. Returns `false` when the transport should pause. */
  readonly events: (events: ReadonlyArray<StreamEvent<A>>) => boolean
  /** The bytes ended (EOF). Without a `Done` before it, the stream fails with `UnexpectedEnd`. */
  readonly end: () => void
  /** The transport failed: the stream fails with `error`, after what was already decoded. */
  readonly fail: (error: E) => void
  /** The transport's controls. A transport that sets none is stopped by its line's own means. */
  readonly control: (control: Control | undefined) => void
  /** Runs `f` when the stream closes, after the transport was stopped (releases a pool slot). */
  readonly onClose: (f: () => void) => void
  /** Whether the stream has ended: a transport stops feeding. */
  readonly closed: () => boolean
  /** Clock millis when the request began: what `total` counts from. */
  readonly startedAt: number
  /**
   * Where the stream stands now (its phase, what arrived, each limit's time so far), for a viewer
   * that asks: read from the engine's state, nothing kept for it. The engine's streams have it.
   */
  readonly snapshot?: ((now?: number) => StreamSnapshot) | undefined
  /** The snapshot's `next` alone, at `now` (the clock's now when absent), without taking one. */
  readonly nextLimit?: ((now?: number) => Next | undefined) | undefined
}

/**
 * What a guarded stream emits: `content` (the values of `Chunk` events) or `events` (every event
 * up to and including `Done`).
 *
 * @since 0.1.0
 * @category models
 */
export type Emit = "content" | "events"

/**
 * The options of a guarded stream that are plain data; each line adds its `heartbeat` (a
 * duration of its own) and its observer.
 *
 * @since 0.1.0
 * @category models
 */
export interface Options {
  /** Low-cardinality labels for the observer (profile, dialect, upstream). */
  readonly labels?: Readonly<Record<string, string>> | undefined
  /**
   * When the request began, in clock millis. Defaults to when the stream starts. A client passes
   * the moment it sent the request, so `firstChunk`, `total` and the elapsed times in errors count
   * from there.
   */
  readonly startedAt?: number | undefined
  /**
   * Called at each heartbeat instead of handing the consumer a keepalive, when it returns `true`:
   * it delivered the keepalive itself (a relay writing a comment straight to its client's socket),
   * so the waiting consumer is not woken for it. Beats of a second or more fall on whole seconds.
   */
  readonly onHeartbeat?: (() => boolean) | undefined
  /**
   * Aborting this signal ends the stream with `StreamAborted` (outcome `interrupted`): the
   * upstream is closed at once and the consumer gets the typed failure at its next pull.
   */
  readonly signal?: AbortSignal | undefined
  /**
   * Which keepalives are pings (an SSE comment, a provider's ping) rather than lifecycle frames
   * (`message_start`, a role-only chunk): the observer counts only pings as keepalives. A dialect's
   * `isPing`. Default: every keepalive. Every keepalive resets `chunk` either way.
   */
  readonly isPing?: ((event: StreamEvent<any>) => boolean) | undefined
  /**
   * Which content values are reasoning (thinking) rather than answer: what the `reasoning` limit
   * needs. A dialect's `isReasoning`. Default: no content is reasoning, so `reasoning` never expires.
   */
  readonly isReasoning?: ((value: any) => boolean) | undefined
  /** `stream` (the default) or `batch`: see `Limits.Kind`. */
  readonly kind?: Kind | undefined
}

/**
 * How many buffered items make the transport pause until the consumer takes them.
 *
 * @since 0.1.0
 * @category constants
 */
export const highWaterMark = 512
