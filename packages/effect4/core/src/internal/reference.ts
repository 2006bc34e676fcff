/**
 * The guard's contract for `chunk` and `total` in the card's shape (see `Guard.reference`):
 * `Stream.timeoutOrElse` per gap, a whole-request timeout, a scoped upstream.
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
  Stream.unwrap(Effect.clockWith((clock) => {
    const now = () => clock.currentTimeMillisUnsafe()
    const startedAt = options?.startedAt ?? now()
    const tally = new EventTally(startedAt)
    const details = (limit: number): TimeoutDetails => tally.details(limit, now())
    const counted = Stream.tap(self, (event) => Effect.sync(() => tally.event(event, now())))
    // The card's shape. `chunk`: a timeout on every gap between the upstream's events, keepalives
    // included, failing the stream with `ChunkTimeout`.
    const chunk = Option.map(TimeoutPolicy.limit(policy, "chunk"), Duration.toMillis)
    const gaps = Option.match(chunk, {
      onNone: () => counted,
      onSome: (limit) =>
        Stream.timeoutOrElse(counted, {
          duration: Duration.millis(limit),
          orElse: () => Stream.fail(new ChunkTimeout(details(limit)))
        })
    })
    // `total`: the whole request's timeout, from its start, failing the stream with `TotalTimeout`.
    const total = Option.map(TimeoutPolicy.limit(policy, "total"), Duration.toMillis)
    const timed = Option.match(total, {
      onNone: () => gaps,
      onSome: (limit) =>
        Stream.interruptWhen(
          gaps,
          Effect.suspend(() => Effect.sleep(Duration.millis(Math.max(0, startedAt + limit - now())))).pipe(
            Effect.andThen(Effect.suspend(() => Effect.fail(new TotalTimeout(details(limit)))))
          )
        )
    })
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
