/**
 * The root README's "Guard any stream" example on Effect 4: a scripted model that goes silent
 * after three tokens, ended by the chat profile's chunk limit (shortened to 1 s for the demo).
 */
// #region embed-core
import { Guard, Profiles, RequestProfile, StreamEvent, TimeoutError } from "@streamguard/core"
import { Console, Duration, Effect, Schedule, Stream } from "effect"

/** A model that streams three tokens 200 ms apart, then never says anything again. */
export const zombieUpstream: Stream.Stream<StreamEvent.StreamEvent<string>> = Stream.concat(
  Stream.fromSchedule(Schedule.spaced(Duration.millis(200))).pipe(
    Stream.take(3),
    Stream.map((n) => StreamEvent.Chunk({ value: `token-${n} `, bytes: 8 }))
  ),
  Stream.never
)

/** Streams the upstream under the current request profile, printing each token. */
export const program = Effect.gen(function*() {
  const policy = yield* RequestProfile.policy
  return yield* zombieUpstream.pipe(
    Guard.guard(policy),
    Stream.tap((token) => Console.log(token)),
    Stream.runDrain,
    Effect.as("done" as const),
    Effect.catchIf(TimeoutError.isTimeoutError, (error) => Effect.succeed(error.outcome))
  )
})

// Shorten the chat profile's chunk timeout for this one call, so the demo ends in a second.
export const main = program.pipe(
  RequestProfile.withPolicy({ chunk: Duration.seconds(1) }),
  Effect.provide(Profiles.chat)
)

// Run as a program (not when its test imports it).
if (import.meta.url === `file://${process.argv[1]}`) {
  Effect.runPromise(main).then((outcome) => console.log(`stream ended: ${outcome}`))
}
// #endregion
