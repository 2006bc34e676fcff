/**
 * The guard's contract for `chunk` and `total` in the plainest Effect terms (see `Guard.reference`).
 *
 * @internal
 */
import { EventTally } from "@streamguard/kernel/EventTally"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import type { GuardError } from "../GuardError.js"
import { UnexpectedEnd, UpstreamErrorSignal } from "../GuardError.js"
import type * as StreamEvent from "../StreamEvent.js"
import type { TimeoutDetails } from "../TimeoutError.js"
import { ChunkTimeout, TotalTimeout } from "../TimeoutError.js"
import * as TimeoutPolicy from "../TimeoutPolicy.js"

/** @internal */
export const make = <A, E, R>(
  self: Stream.Stream<StreamEvent.StreamEvent<A>, E, R>,
  policy: TimeoutPolicy.TimeoutPolicy,
  options?: { readonly startedAt?: number | undefined } | undefined
): Stream.Stream<A, E | GuardError, R> =>
  Stream.unwrap(Effect.map(Effect.clock, (clock) => {
    const now = () => clock.unsafeCurrentTimeMillis()
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
      ? Stream.concat(Stream.tap(counted, () => expired), Stream.execute(expired))
      : counted
    const chunk = TimeoutPolicy.limit(policy, "chunk")
    const timed = Option.isSome(chunk)
      ? Stream.timeoutFail(budgeted, () => new ChunkTimeout(details(Duration.toMillis(chunk.value))), chunk.value)
      : budgeted
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
        tally.done ? Stream.empty : Stream.fail(
          new UnexpectedEnd({ elapsedMillis: tally.elapsed(now()), chunks: tally.chunks })
        )
      )),
      Stream.filterMap((event) => event._tag === "Chunk" ? Option.some(event.value) : Option.none())
    )
    // ...and while the consumer waits for the upstream, it fires on time.
    return Option.isSome(total)
      ? Stream.interruptWhen(
        content,
        Effect.zipRight(Effect.sleep(startedAt + total.value - now()), expired)
      )
      : content
  }))
