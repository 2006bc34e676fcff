/**
 * Admission: at most `maxConcurrentStreams` requests in flight overall and per upstream. Over the
 * limit a request waits up to its profile's `pool` timeout, then gets 503 with `retry-after`; a
 * profile with no `pool` limit does not wait at all (fail fast: it has no budget to wait within).
 * Before both, the request is counted against its upstream's and its key's rate limits
 * (`RateLimiter`: shared through Redis when configured), which refuse with 429.
 *
 * @since 0.1.0
 */
import { RequestProfile, TimeoutPolicy } from "@streamguard/core"
import { Context, Duration, Effect, Layer, Option, TxSemaphore } from "effect"
import type { Scope } from "effect"
import * as ErrorResponse from "../api/ErrorResponse.js"
import { GatewayConfig } from "../config/Config.js"
import type { Upstream } from "../config/Upstream.js"
import * as RateLimiter from "./RateLimiter.js"

/**
 * Slots in use of a `maxConcurrentStreams`.
 *
 * @since 0.1.0
 * @category models
 */
export interface Slots {
  readonly inUse: number
  readonly limit: number
}

/**
 * @since 0.1.0
 * @category services
 */
export class Admission extends Context.Service<Admission>()("gateway/Admission", {
  make: Effect.gen(function*() {
    const config = yield* GatewayConfig
    const rates = yield* RateLimiter.RateLimiter
    // Transactional semaphores, not `Semaphore`: both slots are taken in one transaction (a request
    // waiting for a saturated upstream holds no overall slot meanwhile), and a transaction can look
    // at both and take them only if both are free, without waiting and without a timer.
    const overall = yield* TxSemaphore.make(config.maxConcurrentStreams)
    const perUpstream = new Map<string, TxSemaphore.TxSemaphore>()
    for (const upstream of config.upstreams) {
      if (upstream.maxConcurrentStreams !== undefined) {
        perUpstream.set(upstream.name, yield* TxSemaphore.make(upstream.maxConcurrentStreams))
      }
    }

    const refuse = (what: string, wait: Option.Option<Duration.Duration>) =>
      ErrorResponse.overloaded(
        `${what} is at its limit of concurrent streams` +
          (Option.isSome(wait) ? `; waited ${Duration.toMillis(wait.value)} ms (pool timeout)` : ""),
        1
      )

    /**
     * Takes a slot for the upstream (when it has a limit) and one overall, both at once, held
     * until the scope closes. Waits up to the profile's `pool` limit for both together (one
     * deadline); with no `pool` limit, or a zero one, only takes them if free right now.
     */
    // Untraced: it runs once per request, on the hot path.
    const admit = Effect.fnUntraced(function*(upstream: Upstream) {
      yield* rates.admit(upstream)
      const policy = yield* RequestProfile.policy
      const wait = Option.filter(TimeoutPolicy.limit(policy, "pool"), Duration.isGreaterThan(Duration.zero))
      const own = perUpstream.get(upstream.name)
      const semaphores = own === undefined ? [overall] : [own, overall]
      const take = Effect.tx(Effect.forEach(semaphores, TxSemaphore.acquire, { discard: true }))
      const release = Effect.tx(Effect.forEach(semaphores, TxSemaphore.release, { discard: true }))
      const tryTake = Effect.tx(Effect.gen(function*() {
        for (const semaphore of semaphores) {
          if ((yield* TxSemaphore.available(semaphore)) === 0) return false
        }
        yield* Effect.forEach(semaphores, TxSemaphore.acquire, { discard: true })
        return true
      }))
      const what = own !== undefined && (yield* TxSemaphore.available(own)) === 0
        ? `upstream ${upstream.name}`
        : "the gateway"
      // The slots are taken interruptibly (a waiting request can be cancelled or time out) and
      // their release is registered in the same uninterruptible region, so a slot is never lost.
      const taken = yield* Effect.uninterruptibleMask((restore) =>
        restore(
          Effect.flatMap(tryTake, (free) =>
            free || Option.isNone(wait)
              ? Effect.succeed(free)
              : Effect.map(Effect.timeoutOption(take, wait.value), Option.isSome))
        ).pipe(Effect.tap((ok) => ok ? Effect.addFinalizer(() => release) : Effect.void))
      )
      if (!taken) return yield* refuse(what, wait)
    })

    const inUse = (semaphore: TxSemaphore.TxSemaphore, limit: number) =>
      Effect.map(TxSemaphore.available(semaphore), (free) => ({ inUse: limit - free, limit }))
    /** The slots in use, overall and per upstream with a limit of its own: for the live view. */
    const slots = Effect.tx(Effect.gen(function*() {
      const upstreams: Record<string, Slots> = {}
      for (const upstream of config.upstreams) {
        const own = perUpstream.get(upstream.name)
        if (own !== undefined) upstreams[upstream.name] = yield* inUse(own, upstream.maxConcurrentStreams!)
      }
      return { slots: yield* inUse(overall, config.maxConcurrentStreams), upstreams }
    }))
    return { admit, rateLimitStore: rates.store, slots } as const satisfies {
      readonly admit: (
        upstream: Upstream
      ) => Effect.Effect<void, ErrorResponse.GatewayError, Scope.Scope | RequestProfile.RequestProfile>
      /** Where the rate limits are counted now (for `/readyz`'s detail). */
      readonly rateLimitStore: Effect.Effect<RateLimiter.Store>
      readonly slots: Effect.Effect<{ readonly slots: Slots; readonly upstreams: Record<string, Slots> }>
    }
  })
}) {
  /**
   * Admission with its rate limiter.
   *
   * @since 0.1.0
   */
  static readonly layer: Layer.Layer<Admission, never, GatewayConfig> = Layer.effect(Admission, Admission.make).pipe(
    Layer.provide(RateLimiter.RateLimiter.layer)
  )
}
