/**
 * The kernel's engine as an Effect 3 stream's state: the kernel's `GuardedStream` (the feed, the
 * limits, the buffer, the decisions), with what only Effect does: the transport's fiber, the
 * consumer's pull and its park, the observer's effects, and the close.
 *
 * - The consumer's pull hands over everything buffered as one `Chunk`, or the end, or parks in one
 *   `Effect.async` until the kernel wakes it.
 * - What the observer is to hear is kept as notes and told at the consumer's next pull: no
 *   observer effect runs in a transport's callback.
 *
 * @internal
 */
import type { Deadlines } from "@streamguard/kernel/Deadlines"
import * as Kernel from "@streamguard/kernel/GuardedStream"
import * as Limits from "@streamguard/kernel/Limits"
import type { StreamNote } from "@streamguard/kernel/StreamNote"
import type { Ending } from "@streamguard/kernel/StreamTiming"
import { done } from "@streamguard/kernel/StreamTiming"
import * as Cause from "effect/Cause"
import * as Chunk from "effect/Chunk"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as FiberId from "effect/FiberId"
import * as Option from "effect/Option"
import type { GuardError } from "../GuardError.js"
import * as StreamObserver from "../StreamObserver.js"
import { hasOutcome } from "../StreamOutcome.js"
import type { StreamOutcome } from "../StreamOutcome.js"
import type * as TimeoutPolicy from "../TimeoutPolicy.js"
import type { Decision } from "./errors.js"
import { errors } from "./errors.js"
import type { Emit, Feed, Options } from "./feed.js"
import { millisOf } from "./policy.js"

/** What the consumer's pull succeeds with once the stream ended: the channel then ends. */
export const endMark: unique symbol = Symbol.for("@streamguard/core/Guard/end")

/** @internal */
export type EndMark = typeof endMark

/** One note as the observer's call. */
const tell = (observer: StreamObserver.Service, stream: StreamObserver.StreamInfo, note: StreamNote) => {
  switch (note._tag) {
    case "opened":
      return observer.opened(stream, note.openedAfterMillis)
    case "received":
      return observer.received(stream, note.received)
    case "firstChunk":
      return observer.firstChunk(stream, note.timeToFirstChunkMillis)
  }
}

/**
 * One guarded stream's state. `A` is the upstream's content type, `B` what the consumer gets.
 *
 * @internal
 */
export class GuardedStream<A, B, E> extends Kernel.GuardedStream<A, B, E, Decision> implements Feed<A, E> {
  private transport: Fiber.RuntimeFiber<void, E> | undefined = undefined

  constructor(
    deadlines: Deadlines,
    private readonly observer: StreamObserver.Service,
    policy: TimeoutPolicy.TimeoutPolicy,
    emit: Emit,
    options: Options | undefined
  ) {
    super(
      deadlines,
      Limits.limitsOf(millisOf(policy), options?.kind ?? "stream"),
      emit,
      options,
      options?.heartbeat === undefined ? undefined : Duration.toMillis(options.heartbeat),
      errors,
      observer !== StreamObserver.noopService
    )
  }

  /** Tells the observer that the attempt that failed with `outcome` is retried after `delayMillis`. */
  retrying(attempt: number, outcome: StreamOutcome, delayMillis: number): Effect.Effect<void> {
    return this.observer.retrying(this.info, { attempt, outcome, delayMillis })
  }

  /** Stops the transport's fiber too: its finalizers run on close. */
  protected override stopTransport(): void {
    super.stopTransport()
    this.transport?.unsafeInterruptAsFork(FiberId.none)
  }

  /** What the consumer gets now: the buffer, or the end once the transport has closed. */
  readonly next: Effect.Effect<Chunk.Chunk<B> | EndMark, E | GuardError> = Effect.suspend(() => {
    const notes = this.takeNotes()
    if (notes !== undefined) return Effect.zipRight(this.tell(notes), this.next)
    const items = this.take()
    if (items !== undefined) return Effect.succeed(Chunk.unsafeFromArray(items))
    const ending = this.ending()
    if (ending === undefined) return this.park
    return this.endWith(ending)
  })

  private endWith(ending: Ending): Effect.Effect<EndMark, E | GuardError> {
    if (ending === done) return Effect.as(this.closeUpstream, endMark)
    const cause = (ending.cause ?? Cause.fail(ending.error)) as Cause.Cause<E | GuardError>
    return Effect.zipRight(this.closeUpstream, Effect.failCause(cause))
  }

  /**
   * Waits for something to hand over. No canceler: a consumer interrupted here is closing the stream,
   * and `close` lets go of the waiter; a pull after that parks afresh.
   */
  private readonly park: Effect.Effect<Chunk.Chunk<B> | EndMark, E | GuardError> = Effect.async((resume) => {
    this.wait(resume)
  })

  /** The parked consumer goes on with its next pull. */
  protected override resume(waiter: Kernel.Waiter): void {
    ;(waiter as (next: Effect.Effect<Chunk.Chunk<B> | EndMark, E | GuardError>) => void)(this.next)
  }

  private tell(notes: ReadonlyArray<StreamNote>): Effect.Effect<void> {
    return Effect.forEach(notes, (note) => tell(this.observer, this.info, note), { discard: true })
  }

  /** The first pull: tells the observer, starts the transport and the deadlines. */
  start<R>(open: (feed: Feed<A, E>) => Effect.Effect<void, E, R>): Effect.Effect<void, never, R> {
    return Effect.flatMap(
      this.observed ? this.observer.started(this.info) : Effect.void,
      () =>
        Effect.map(Effect.forkDaemon(open(this)), (fiber) => {
          this.transport = fiber
          fiber.addObserver((exit) => {
            if (this.transport === fiber) this.transport = undefined
            if (Exit.isFailure(exit) && !Cause.isInterruptedOnly(exit.cause)) this.failed(exit.cause)
          })
          this.reschedule()
        })
    )
  }

  /** The transport's fiber failed: with its failure (the outcome it knows), or a defect. */
  private failed(cause: Cause.Cause<E>): void {
    const failure = Cause.failureOption(cause)
    if (Option.isSome(failure)) {
      this.failCause(cause, failure.value, hasOutcome(failure.value) ? failure.value.outcome : "transport_error")
    } else {
      this.failCause(cause, Cause.squash(cause), "transport_error")
    }
  }

  /** Stops the transport and waits until it has let go of everything (idempotent). */
  private readonly closeUpstream: Effect.Effect<void> = Effect.suspend(() => {
    if (!this.closeTransport()) return Effect.void
    const release = Effect.sync(() => this.release())
    const fiber = this.transport
    return fiber === undefined ? release : Effect.zipRight(Fiber.interrupt(fiber), release)
  })

  /** On every end of the stream: the transport closed, then the observer told, exactly once. */
  close(exit: Exit.Exit<unknown, unknown>): Effect.Effect<void> {
    this.leave(Exit.isFailure(exit) && Cause.isInterruptedOnly(exit.cause))
    return Effect.zipRight(
      this.closeUpstream,
      Effect.suspend(() => {
        this.finish()
        if (!this.observed) return Effect.void
        const notes = this.takeNotes()
        const ended = this.observer.ended(this.info, this.ended())
        return notes === undefined ? ended : Effect.zipRight(this.tell(notes), ended)
      })
    )
  }
}
