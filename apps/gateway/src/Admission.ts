/**
 * Admission: at most `maxConcurrentStreams` requests in flight overall and per upstream. Over the
 * limit a request waits up to its profile's `pool` timeout (not at all when the profile has none),
 * then gets 503 with `retry-after`.
 *
 * @since 0.1.0
 */
import { RequestProfile, TimeoutPolicy } from "@streamguard/core"
import { Duration, Effect, Option } from "effect"
import type { Scope } from "effect"
import type { Upstream } from "./Config.js"
import { GatewayConfig } from "./Config.js"
import * as ErrorResponse from "./ErrorResponse.js"

/**
 * @since 0.1.0
 * @category services
 */
export class Admission extends Effect.Service<Admission>()("gateway/Admission", {
  effect: Effect.gen(function*() {
    const config = yield* GatewayConfig
    const overall = yield* Effect.makeSemaphore(config.maxConcurrentStreams)
    const perUpstream = new Map<string, Effect.Semaphore>()
    for (const upstream of config.upstreams) {
      if (upstream.maxConcurrentStreams !== undefined) {
        perUpstream.set(upstream.name, yield* Effect.makeSemaphore(upstream.maxConcurrentStreams))
      }
    }

    // The permit is taken interruptibly (a waiting request can be cancelled or time out) and its
    // release is registered in the same uninterruptible region, so a permit is never lost.
    const takeOne = (
      semaphore: Effect.Semaphore,
      wait: Option.Option<Duration.Duration>,
      what: string
    ): Effect.Effect<void, ErrorResponse.GatewayError, Scope.Scope> =>
      Effect.uninterruptibleMask((restore) =>
        restore(
          Effect.timeoutOption(semaphore.take(1), Option.getOrElse(wait, () => Duration.zero))
        ).pipe(
          Effect.flatMap(Option.match({
            onNone: () =>
              Effect.fail(
                ErrorResponse.overloaded(
                  `${what} is at its limit of concurrent streams` +
                    (Option.isSome(wait) ? `; waited ${Duration.toMillis(wait.value)} ms (pool timeout)` : ""),
                  1
                )
              ),
            onSome: () => Effect.addFinalizer(() => semaphore.release(1))
          }))
        )
      )

    /**
     * Takes a slot overall and one for the upstream, held until the scope closes.
     */
    const admit = (
      upstream: Upstream
    ): Effect.Effect<void, ErrorResponse.GatewayError, Scope.Scope | RequestProfile.RequestProfile> =>
      Effect.gen(function*() {
        const policy = yield* RequestProfile.policy
        const wait = TimeoutPolicy.limit(policy, "pool")
        yield* takeOne(overall, wait, "the gateway")
        const own = perUpstream.get(upstream.name)
        if (own !== undefined) yield* takeOne(own, wait, `upstream ${upstream.name}`)
      })
    return { admit } as const
  })
}) {}
