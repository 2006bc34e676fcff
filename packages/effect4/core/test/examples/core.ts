/**
 * The examples of `@streamguard/core`'s README, as code that typechecks and runs
 * (`../Examples.test.ts` runs each under `TestClock`). Each `#region` is one README code block,
 * character for character.
 */
// #region imports
import { NodeFileSystem } from "@effect/platform-node"
import type { GuardError } from "@streamguard/core"
import {
  Guard,
  ProfileConfig,
  Profiles,
  RequestProfile,
  StreamEvent,
  TimeoutError,
  TimeoutPolicy
} from "@streamguard/core"
import { Duration, Effect, Layer, Stream } from "effect"
// #endregion

// #region policy
// Built from durations as Effect's own APIs take them (a Duration, millis, or "30 seconds"):
// absent fields have no limit.
export const interactive = TimeoutPolicy.make({
  connect: "10 seconds",
  chunk: Duration.seconds(30),
  total: "2 minutes"
})

// Decoded from config-shaped input, where operators write "45s", "2m", "1500 millis" or "none".
export const fromJson = TimeoutPolicy.decodeUnknown({ firstChunk: "5m", chunk: "45s", total: "none" })

// Field by field: a limit set in the override wins, "none" (Duration.infinity) clears one.
export const noTotal = TimeoutPolicy.merge(interactive, { total: Duration.infinity })
// #endregion

// #region guard
// Any stream of upstream events: here a model that streams two tokens, then goes silent.
export const upstream: Stream.Stream<StreamEvent.StreamEvent<string>> = Stream.concat(
  Stream.make(StreamEvent.Chunk({ value: "Hello", bytes: 5 }), StreamEvent.Chunk({ value: " world", bytes: 6 })),
  Stream.never
)

export const answer: Effect.Effect<string, GuardError.GuardError> = upstream.pipe(
  Guard.guard(TimeoutPolicy.make({ chunk: Duration.seconds(30) })),
  Stream.mkString
)
// #endregion

// #region errors
export const outcome = answer.pipe(
  Effect.as("done" as const),
  Effect.catchIf(
    TimeoutError.isTimeoutError,
    (timeout) => Effect.succeed(`${timeout.outcome} after ${timeout.elapsedMillis} ms, ${timeout.chunks} chunks`)
  ),
  Effect.catchTag("UpstreamErrorSignal", (error) => Effect.succeed(`provider error ${error.errorType}`)),
  Effect.catchTag("UnexpectedEnd", () => Effect.succeed("the upstream ended without its done signal"))
)
// #endregion

// #region profiles
// The current request's policy comes from a RequestProfile layer.
export const guarded = Effect.flatMap(
  RequestProfile.policy,
  (policy) => upstream.pipe(Guard.guard(policy), Stream.mkString)
)

// A built-in profile, with one field overridden for one call.
export const inChat = guarded.pipe(
  RequestProfile.withPolicy({ chunk: Duration.seconds(5) }),
  Effect.provide(Profiles.chat)
)

// The same profile from configuration: the built-in, then the JSON file named by
// STREAMGUARD_CONFIG, then STREAMGUARD_CHAT_<FIELD>_TIMEOUT environment variables. A bad value
// fails the layer, naming its key.
export const ChatFromConfig = ProfileConfig.layer("chat").pipe(Layer.provide(NodeFileSystem.layer))
// #endregion
