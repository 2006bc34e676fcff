/**
 * The guard's contract for `chunk` and `total` in the plainest Effect terms (see `Guard.reference`).
 *
 * @internal
 */
import { EventTally } from "@streamguard/kernel/EventTally"
import type { NonEmptyReadonlyArray } from "effect/Array"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import type * as Pull from "effect/Pull"
import * as Stream from "effect/Stream"
import type { GuardError } from "../GuardError.js"
import { UnexpectedEnd, UpstreamErrorSignal } from "../GuardError.js"
import type * as StreamEvent from "../StreamEvent.js"
import type { TimeoutDetails } from "../TimeoutError.js"
import { ChunkTimeout, TotalTimeout } from "../TimeoutError.js"
import * as TimeoutPolicy from "../TimeoutPolicy.js"

/**
 * Each pull of `self` bounded by `chunkMillis` and by what is left until `deadline`: a timeout on
 * the consumer's own pulls, failing with `onChunk` or `onTotal`.
 */
const bounded = <A, E, R, E1, E2>(
  self: Stream.Stream<A, E, R>,
  chunkMillis: Option.Option<number>,
  deadline: Option.Option<number>,
  now: () => number,
  onChunk: (limit: number) => E1,
  onTotal: () => E2
): Stream.Stream<A, E | E1 | E2, R> =>
  Option.isNone(chunkMillis) && Option.isNone(deadline) ?
    self :
    Stream.transformPull(self, (pull) =>
      Effect.succeed(Effect.suspend(() => {
        let timed: Pull.Pull<NonEmptyReadonlyArray<A>, E | E1 | E2> = pull
        if (Option.isSome(chunkMillis)) {
          timed = Effect.timeoutOrElse(timed, {
            duration: Duration.millis(chunkMillis.value),
            orElse: () => Effect.fail(onChunk(chunkMillis.value))
          })
        }
        if (Option.isNone(deadline)) return timed
        const left = deadline.value - now()
        if (left <= 0) return Effect.fail(onTotal())
        return Effect.timeoutOrElse(timed, { duration: Duration.millis(left), orElse: () => Effect.fail(onTotal()) })
      })))

/** @internal */
export const make = <A, E, R>(
  self: Stream.Stream<StreamEvent.StreamEvent<A>, E, R>,
  policy: TimeoutPolicy.TimeoutPolicy,
  options?: { readonly startedAt?: number | undefined } | undefined
): Stream.Stream<A, E | GuardError, R> =>
  Stream.unwrap(Effect.clockWith((clock) => {
    const now = () => clock.currentTimeMillisUnsafe()
    const startedAt = options?.startedAt ?? now()
    const tally = new EventTally(startedAt)
    const details = (limit: number): TimeoutDetails => tally.details(limit, now())
    const counted = Stream.tap(self, (event) => Effect.sync(() => tally.event(event, now())))
    // The whole request is over at `total`: nothing the upstream sent (nor its end) passes after it,
    // even to a consumer that was busy when it expired.
    const total = Option.map(TimeoutPolicy.limit(policy, "total"), Duration.toMillis)
    const expired = Effect.suspend(() =>
      Option.isSome(total) && now() >= startedAt + total.value
        ? Effect.fail(new TotalTimeout(details(total.value)))
        : Effect.void
    )
    const budgeted = Option.isSome(total)
      ? Stream.concat(Stream.tap(counted, () => expired), Stream.fromEffectDrain(expired))
      : counted
    // Every wait of the consumer for the upstream's next events is bounded twice: by `chunk`
    // (keepalives included) and by what is left of `total`, so the whole request fires on time while
    // the consumer waits. Timeouts on the consumer's own pulls, not `Stream.timeoutOrElse` nor
    // `Stream.interruptWhen`: those pull the upstream in a fiber of their own, ahead of the consumer,
    // so they would take the time a consumer spends on what it was handed for the upstream's
    // silence, and let the upstream's end through before a deadline the consumer reaches later.
    const timed = bounded(
      budgeted,
      Option.map(TimeoutPolicy.limit(policy, "chunk"), Duration.toMillis),
      Option.map(total, (limit) => startedAt + limit),
      now,
      (limit) => new ChunkTimeout(details(limit)),
      () => new TotalTimeout(details(Option.getOrThrow(total)))
    )
    const content = timed.pipe(
      Stream.takeUntil((event) => event._tag === "Done" || event._tag === "ErrorSignal"),
      Stream.mapEffect((event) =>
        event._tag === "ErrorSignal"
          ? Effect.fail(
            new UpstreamErrorSignal({
              errorType: event.errorType,
              providerMessage: event.message,
              payload: event.payload,
              elapsedMillis: tally.elapsed(now()),
              chunks: tally.chunks
            })
          )
          : Effect.succeed(event)
      ),
      Stream.concat(Stream.suspend(() =>
        tally.done
          ? Stream.empty
          : Stream.fail(new UnexpectedEnd({ elapsedMillis: tally.elapsed(now()), chunks: tally.chunks }))
      )),
      Stream.filter((event): event is Extract<StreamEvent.StreamEvent<A>, { readonly _tag: "Chunk" }> =>
        event._tag === "Chunk"
      ),
      Stream.map((event) => event.value)
    )
    return Effect.succeed(content)
  }))
