/**
 * The kernel's engine as an Effect 4 stream's state: the kernel's `GuardedStream` (the feed, the
 * limits, the buffer, the decisions), with what only Effect does: the transport's fiber, the
 * consumer's pull and its park, the observer's effects, and the close.
 *
 * - The consumer's pull hands over everything buffered as one array, or the end (`Cause.done`), or
 *   parks in one `Effect.callback` until the kernel wakes it. Effect 4 resumes a parked fiber on
 *   the waker's stack, so the kernel's wake runs the consumer at once.
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
import type { NonEmptyReadonlyArray } from "effect/Array"
import * as Cause from "effect/Cause"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
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

/**
 * The consumer's pull: a batch, or a failure, or `Cause.Done` at the end.
 *
 * @internal
 */
export type Pull<B, E> = Effect.Effect<NonEmptyReadonlyArray<B>, E | GuardError | Cause.Done>

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

const theEnd = Cause.done()

/**
 * One guarded stream's state. `A` is the upstream's content type, `B` what the consumer gets.
 *
 * @internal
 */
export class GuardedStream<A, B, E> extends Kernel.GuardedStream<A, B, E, Decision> implements Feed<A, E> {
  private transport: Fiber.Fiber<void, E> | undefined = undefined

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
    this.transport?.interruptUnsafe()
  }

  /** What the consumer gets now: the buffer, or the end once the transport has closed. */
  readonly next: Pull<B, E> = Effect.suspend(() => {
    const notes = this.takeNotes()
    if (notes !== undefined) return Effect.andThen(this.tell(notes), this.next)
    const items = this.take()
    if (items !== undefined) return Effect.succeed(items as unknown as NonEmptyReadonlyArray<B>)
    const ending = this.ending()
    if (ending === undefined) return this.park
    return this.endWith(ending)
  })

  private endWith(ending: Ending): Pull<B, E> {
    if (ending === done) return Effect.andThen(this.closeUpstream, theEnd)
    const cause = (ending.cause ?? Cause.fail(ending.error)) as Cause.Cause<E | GuardError>
    return Effect.andThen(this.closeUpstream, Effect.failCause(cause))
  }

  /**
   * Waits for something to hand over. No canceler: a consumer interrupted here is closing the
   * stream, and `close` lets go of the waiter; a pull after that parks afresh. A register of one
   * argument: Effect makes no `AbortSignal` for it.
   */
  private readonly park: Pull<B, E> = Effect.callback((resume) => {
    this.wait(resume)
  })

  /** The parked consumer goes on with its next pull. */
  protected override resume(waiter: Kernel.Waiter): void {
    ;(waiter as (next: Pull<B, E>) => void)(this.next)
  }

  /**
   * The notes as the observer's calls, in order. A read of an observed stream leaves one note as a
   * rule (`received`): its call alone, not an `Effect.forEach` (four more steps per read).
   */
  private tell(notes: ReadonlyArray<StreamNote>): Effect.Effect<void> {
    let told = tell(this.observer, this.info, notes[0]!)
    for (let i = 1; i < notes.length; i++) told = Effect.andThen(told, tell(this.observer, this.info, notes[i]!))
    return told
  }

  /**
   * The start: tells the observer, arms the deadlines and starts the transport in a fiber of its
   * own. The fiber starts on the scheduler's next turn, after the consumer's first pull has parked:
   * the kernel counts the consumer as waiting from the request's start until a wake ends that wait,
   * so a transport that fed the state before that first park would leave the consumer counted as
   * waiting while it is busy with what it took.
   */
  start<R>(open: (feed: Feed<A, E>) => Effect.Effect<void, E, R>): Effect.Effect<void, never, R> {
    return Effect.andThen(
      this.observed ? this.observer.started(this.info) : Effect.void,
      Effect.suspend(() => {
        this.reschedule()
        return Effect.map(Effect.forkDetach(open(this)), (fiber) => {
          this.transport = fiber
          fiber.addObserver((exit) => {
            if (this.transport === fiber) this.transport = undefined
            if (Exit.isFailure(exit) && !Cause.hasInterruptsOnly(exit.cause)) this.failed(exit.cause)
          })
        })
      })
    )
  }

  /** The transport's fiber failed: with its failure (the outcome it knows), or a defect. */
  private failed(cause: Cause.Cause<E>): void {
    const failure = Cause.findErrorOption(cause)
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
    return fiber === undefined ? release : Effect.andThen(Fiber.interrupt(fiber), release)
  })

  /** On every end of the stream: the transport closed, then the observer told, exactly once. */
  close(exit: Exit.Exit<unknown, unknown>): Effect.Effect<void> {
    this.leave(Exit.isFailure(exit) && Cause.hasInterruptsOnly(exit.cause))
    return Effect.andThen(
      this.closeUpstream,
      Effect.suspend(() => {
        this.finish()
        if (!this.observed) return Effect.void
        const notes = this.takeNotes()
        const ended = this.observer.ended(this.info, this.ended())
        return notes === undefined ? ended : Effect.andThen(this.tell(notes), ended)
      })
    )
  }
}
