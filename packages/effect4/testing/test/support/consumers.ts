/**
 * The suite's consumers as Effect 4 code, and how a run's end is reported: what the consumer's
 * run ended with and what the line's `StreamObserver` was told.
 */
import type { Consumer, Result } from "@streamguard/behaviour"
import { StreamObserver, StreamOutcome } from "@streamguard/core"
import type { Exit } from "effect"
import { Cause, Deferred, Effect, Fiber, Option, Stream } from "effect"

/**
 * Runs `stream` as `consumer` says, telling `received` each value. `Interrupt` holds its last value
 * (takes no more) and its fiber is interrupted from outside: the fork that `forkConsumer` adds.
 */
const consume = <A, E, R>(
  stream: Stream.Stream<A, E, R>,
  consumer: Consumer,
  received: (value: A) => void,
  reached: Deferred.Deferred<void>
): Effect.Effect<void, E, R> => {
  const tell = (value: A) => Effect.sync(() => received(value))
  switch (consumer._tag) {
    case "Drain":
      return Stream.runForEach(stream, tell)
    case "Take":
      return Stream.runForEach(Stream.take(stream, consumer.count), tell)
    case "Interrupt": {
      let count = 0
      return Stream.runForEach(stream, (value) =>
        Effect.andThen(
          tell(value),
          ++count < consumer.afterCount
            ? Effect.void
            : Effect.andThen(Deferred.succeed(reached, undefined), Effect.never)
        ))
    }
  }
}

/**
 * Forks the consumer's run of `stream` (with `onExit` run as it ends) and, for `Interrupt`, the
 * fiber that interrupts it once it has its values.
 */
export const forkConsumer = <A, E, R>(
  stream: Stream.Stream<A, E, R>,
  consumer: Consumer,
  received: (value: A) => void,
  onExit: (exit: Exit.Exit<void, E>) => Effect.Effect<void>
): Effect.Effect<Fiber.Fiber<void, E>, never, R> =>
  Effect.gen(function*() {
    const reached = yield* Deferred.make<void>()
    // Started at once, so the run is waiting on the clock before the clock moves: Effect 4's
    // `TestClock.adjust` does not wait for a fiber just forked to reach its sleep.
    const fiber = yield* Effect.forkChild(Effect.onExit(consume(stream, consumer, received, reached), onExit), {
      startImmediately: true
    })
    if (consumer._tag === "Interrupt") {
      yield* Effect.forkChild(Effect.andThen(Deferred.await(reached), Fiber.interrupt(fiber)), {
        startImmediately: true
      })
    }
    return fiber
  })

/** How the consumer's run ended, and the failure as the line shows it. */
export const resultOf = (exit: Exit.Exit<unknown, unknown>): { readonly result: Result; readonly detail: string } => {
  if (exit._tag === "Success") return { result: "success", detail: "" }
  if (Cause.hasInterruptsOnly(exit.cause)) return { result: "interrupted", detail: "interrupted" }
  const failure = Cause.findErrorOption(exit.cause)
  if (Option.isSome(failure) && StreamOutcome.hasOutcome(failure.value)) {
    const error: StreamOutcome.HasOutcome & { readonly _tag?: string; readonly message?: string } = failure.value
    return { result: error.outcome, detail: `${error._tag}: ${error.message}` }
  }
  return { result: "other", detail: Cause.pretty(exit.cause) }
}

/** An observer that keeps the outcomes it is told; `observed` is the one outcome, if it was told exactly one. */
export const recordingObserver = () => {
  const outcomes: Array<StreamOutcome.StreamOutcome> = []
  const service: StreamObserver.Service = {
    ...StreamObserver.noopService,
    ended: (_, ended) => Effect.sync(() => void outcomes.push(ended.outcome))
  }
  return { service, observed: () => outcomes.length === 1 ? outcomes[0] : undefined, outcomes }
}
