/**
 * The timeout policy of the current request, chosen per request profile.
 *
 * @since 0.1.0
 */
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import { dual } from "effect/Function"
import * as Layer from "effect/Layer"
import * as Stream from "effect/Stream"
import * as TimeoutPolicy from "./TimeoutPolicy.js"

/**
 * @since 0.1.0
 * @category models
 */
export interface Service {
  /** The profile's name (`research`, `chat`, or a custom one): used as a label in logs and metrics. */
  readonly name: string
  readonly policy: TimeoutPolicy.TimeoutPolicy
}

/**
 * The profile of the current request. Provide one with a `Profiles` layer; override it for one
 * call with `withPolicy`.
 *
 * @since 0.1.0
 * @category tags
 */
export class RequestProfile extends Context.Service<RequestProfile, Service>()("@streamguard/core/RequestProfile") {}

/**
 * @since 0.1.0
 * @category constructors
 */
export const make = (name: string, policy: TimeoutPolicy.TimeoutPolicy): Service => RequestProfile.of({ name, policy })

/**
 * @since 0.1.0
 * @category layers
 */
export const layer = (name: string, policy: TimeoutPolicy.TimeoutPolicy): Layer.Layer<RequestProfile> =>
  Layer.succeed(RequestProfile, make(name, policy))

/**
 * The current request's policy.
 *
 * @since 0.1.0
 * @category accessors
 */
export const policy: Effect.Effect<TimeoutPolicy.TimeoutPolicy, never, RequestProfile> = Effect.map(
  Effect.service(RequestProfile),
  (profile) => profile.policy
)

/**
 * Runs one effect with the current profile's policy merged with `override` (later wins, field by
 * field; each duration a `Duration.Input`, as `TimeoutPolicy.merge` takes it), without
 * rebuilding any layer.
 *
 * @since 0.1.0
 * @category combinators
 */
export const withPolicy: {
  (override: TimeoutPolicy.Fields): <A, E, R>(self: Effect.Effect<A, E, R>) => Effect.Effect<A, E, R | RequestProfile>
  <A, E, R>(self: Effect.Effect<A, E, R>, override: TimeoutPolicy.Fields): Effect.Effect<A, E, R | RequestProfile>
} = dual(
  2,
  <A, E, R>(self: Effect.Effect<A, E, R>, override: TimeoutPolicy.Fields): Effect.Effect<A, E, R | RequestProfile> =>
    Effect.updateService(
      self,
      RequestProfile,
      (profile) => make(profile.name, TimeoutPolicy.merge(profile.policy, override))
    )
)

/**
 * `withPolicy` for a stream.
 *
 * @since 0.1.0
 * @category combinators
 */
export const withPolicyStream: {
  (override: TimeoutPolicy.Fields): <A, E, R>(self: Stream.Stream<A, E, R>) => Stream.Stream<A, E, R | RequestProfile>
  <A, E, R>(self: Stream.Stream<A, E, R>, override: TimeoutPolicy.Fields): Stream.Stream<A, E, R | RequestProfile>
} = dual(
  2,
  <A, E, R>(self: Stream.Stream<A, E, R>, override: TimeoutPolicy.Fields): Stream.Stream<A, E, R | RequestProfile> =>
    Stream.unwrap(
      Effect.map(
        Effect.service(RequestProfile),
        (profile) =>
          Stream.provideService(self, RequestProfile, make(profile.name, TimeoutPolicy.merge(profile.policy, override)))
      )
    )
)
