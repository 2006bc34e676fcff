/**
 * An Effect `Clock` as the kernel's engine and simulator read and sleep on it: the one bridge of
 * this line, so the guard's deadlines and the simulator's plays move with the same `TestClock`.
 *
 * @since 0.1.0
 */
import * as Kernel from "@streamguard/kernel/Clock"
import * as Chunk from "effect/Chunk"
import * as Clock from "effect/Clock"
import * as Context from "effect/Context"
import * as DefaultServices from "effect/DefaultServices"
import * as Deferred from "effect/Deferred"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as FiberId from "effect/FiberId"
import * as Ref from "effect/Ref"
import type * as TestClock from "effect/TestClock"

/** The Clock of Effect's default services: `Date.now` and timers. */
const live: Clock.Clock = Context.get(DefaultServices.liveServices, Clock.Clock)

/**
 * `clock` as the kernel reads and sleeps on it. The live Clock is the wall clock, so it becomes
 * the kernel's `system` clock (Node's timers, no fiber). Any other (a `TestClock`) sleeps in one
 * fiber per wait: `runFork` starts it at once, so its sleep is registered on the Clock before
 * `sleep` returns, and cancelling interrupts it. Its `sleepLast` wakes after the other sleeps that
 * end at the same instant (see `sleepLast` below).
 *
 * @since 0.1.0
 * @category constructors
 */
export const fromClock = (clock: Clock.Clock): Kernel.Clock => {
  if (clock === live) return Kernel.system
  const sleep = (millis: number, wake: () => void): () => void =>
    wakeOn(clock.sleep(Duration.millis(Math.max(0, millis))), wake)
  return {
    now: () => clock.unsafeCurrentTimeMillis(),
    sleep,
    sleepLast: hasSleeps(clock) ? (millis, wake) => wakeOn(sleepLast(clock, millis), wake) : sleep
  }
}

/** Runs `sleeping` in a fiber of its own, `wake` once it is done; what it returns cancels it. */
const wakeOn = (sleeping: Effect.Effect<void>, wake: () => void): () => void => {
  const fiber = Effect.runFork(sleeping)
  fiber.addObserver((exit) => {
    if (exit._tag === "Success") wake()
  })
  return () => fiber.unsafeInterruptAsFork(FiberId.none)
}

/** Effect 3's `TestClock` as it keeps its sleeps: the state its `sleep` adds to and `adjust` takes from. */
interface WithSleeps {
  readonly clockState: Ref.Ref<TestClock.Data>
}

const hasSleeps = (clock: Clock.Clock): clock is Clock.Clock & WithSleeps => {
  const state: unknown = (clock as Partial<WithSleeps>).clockState
  return typeof state === "object" && state !== null && Ref.RefTypeId in state
}

/**
 * `sleepLast` on Effect 3's `TestClock`. It wakes the sleeps that end at one instant newest first
 * (its `sleep` puts each in front, and `adjust` sorts them by time alone), and lets what each sets
 * off run before it wakes the next. A deadline's sleep, started when a deadline moved, is often the
 * newer one, so the upstream's event due at the same instant would come after the decision: the
 * order of two sleeps, not the time, would decide. No public `TestClock` call sleeps behind the
 * others, so this one puts its sleep at the back of the clock's own list (`TestClock.Data`, as its
 * `sleep` does at the front): `adjust` then wakes it after everything else due at that instant. A
 * clock without that list sleeps as `sleep` does.
 */
const sleepLast = (clock: WithSleeps, millis: number): Effect.Effect<void> =>
  Effect.suspend(() => {
    const deferred = Deferred.unsafeMake<void>(FiberId.none)
    return Effect.flatMap(
      Ref.modify(clock.clockState, (data) => {
        const end = data.instant + Math.max(0, millis)
        if (end <= data.instant) return [false, data] as const
        const next: TestClock.Data = {
          instant: data.instant,
          sleeps: Chunk.append(data.sleeps, [end, deferred] as const)
        }
        return [true, next] as const
      }),
      (registered) => registered ? Deferred.await(deferred) : Effect.void
    )
  })
