/**
 * `progress` for `@effect/ai` streams: only above the SDK's decoder is it known which parts are
 * content, so this is where a stream that keeps sending frames but says nothing is caught.
 *
 * @since 0.1.0
 */
import * as Guard from "@streamguard/core-effect3/Guard"
import type * as GuardError from "@streamguard/core-effect3/GuardError"
import * as RequestProfile from "@streamguard/core-effect3/RequestProfile"
import * as TimeoutPolicy from "@streamguard/core-effect3/TimeoutPolicy"
import * as Parts from "@streamguard/kernel/ai/StreamParts"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import { dual } from "effect/Function"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"

/**
 * A part of a `LanguageModel.streamText` stream, as far as progress cares: its `type`.
 *
 * @since 0.1.0
 * @category models
 */
export type Part = Parts.Part

/**
 * Whether a part is content: a text, reasoning or tool-call delta, a whole tool call or result, a
 * file. Starts and ends of blocks, metadata, sources and the finish part are not.
 *
 * @since 0.1.0
 * @category predicates
 */
export const isContent: (part: Part) => boolean = Parts.isContent

/** The progress limit: `limit`, or else the current `RequestProfile`'s (none without one). */
const progressLimit = (limit: Duration.DurationInput | undefined): Effect.Effect<Option.Option<Duration.Duration>> =>
  limit === undefined
    ? Effect.map(
      Effect.serviceOption(RequestProfile.RequestProfile),
      Option.flatMap((profile) => TimeoutPolicy.limit(profile.policy, "progress"))
    )
    : Effect.succeed(Option.some(Duration.decode(limit)))

/**
 * Ends a `streamText` part stream with `ProgressTimeout` when no content part comes for `limit`
 * (default: the current `RequestProfile`'s `progress`; without one, the stream is left as it is).
 * Like every idle limit of the guard it runs only while the consumer waits for the next part.
 *
 * @since 0.1.0
 * @category combinators
 */
export const guardProgress: {
  (
    limit?: Duration.DurationInput
  ): <P extends Part, E, R>(self: Stream.Stream<P, E, R>) => Stream.Stream<P, E | GuardError.GuardError, R>
  <P extends Part, E, R>(
    self: Stream.Stream<P, E, R>,
    limit?: Duration.DurationInput
  ): Stream.Stream<P, E | GuardError.GuardError, R>
} = dual(
  (args) => Stream.StreamTypeId in Object(args[0]),
  <P extends Part, E, R>(
    self: Stream.Stream<P, E, R>,
    limit?: Duration.DurationInput
  ): Stream.Stream<P, E | GuardError.GuardError, R> =>
    Stream.unwrap(Effect.map(progressLimit(limit), (progress) =>
      Option.match(progress, {
        onNone: () => self,
        onSome: (progress) =>
          // The provider's stream ends when the answer does: the end the guard waits for.
          Stream.concat(Stream.map(self, Parts.toEvent), Stream.succeed(Parts.end)).pipe(
            Guard.guardEvents(TimeoutPolicy.make({ progress })),
            Stream.filterMap((event) => Option.fromNullable(Parts.partOf(event)))
          )
      })))
)
