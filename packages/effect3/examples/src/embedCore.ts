/**
 * Embedding the core: guard any Effect `Stream` of upstream events with a profile's policy.
 *
 * Here the "upstream" is a scripted stream (a model that thinks, streams three tokens, then goes
 * silent); in a real backend it is `LlmClient.stream(...)` from @streamguard/client. Run it with
 * `npm start --workspace=@streamguard/examples-effect3` and watch a 1 s chunk timeout end the zombie:
 * under a `TestClock` the same program runs in milliseconds (see test/embedCore.test.ts).
 */
// #region embed-core
import { Guard, Profiles, RequestProfile, StreamEvent, TimeoutError } from "@streamguard/core-effect3"
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
