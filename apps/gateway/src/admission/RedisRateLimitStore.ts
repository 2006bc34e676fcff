/**
 * The Redis store under effect's `RateLimiter`: the library's own store (`makeStoreRedis`, its
 * fixed-window script, the same rule as its memory store) over an ioredis client the gateway owns.
 * Effect's own Redis client (`NodeRedis`) fails to build while Redis is down and logs every error
 * its client has, so a replica could not start without Redis, and would say so on every reconnect
 * attempt; here the client's errors are taken in silently, commands fail fast while it is away,
 * and the gateway reports the outage itself, once, from the commands that fail.
 *
 * @since 0.1.0
 */
import type { Scope } from "effect"
import { Effect, Layer } from "effect"
import * as RateLimiter from "effect/persistence/RateLimiter"
import * as Redis from "effect/persistence/Redis"
import type { RedisOptions } from "ioredis"
import { Redis as IoRedis } from "ioredis"

/** Pub/sub and reserved connections: the rate limits use neither. */
const unused = (what: string) =>
  Effect.fail(new Redis.RedisError({ cause: `the gateway's Redis client has no ${what}` }))

/** The `Redis` service over one ioredis client, open for the scope. */
const client = (options: RedisOptions): Effect.Effect<Redis.Redis["Service"], never, Scope.Scope> =>
  Effect.gen(function*() {
    const redis = yield* Effect.acquireRelease(
      Effect.sync(() => {
        const redis = new IoRedis(options)
        // Taken in: the commands that fail say so, and the gateway logs the outage once.
        redis.on("error", () => {})
        return redis
      }),
      (redis) => Effect.sync(() => redis.disconnect())
    )
    return yield* Redis.make({
      send: <A>(command: string, ...args: ReadonlyArray<string>) =>
        Effect.tryPromise({
          try: () => redis.call(command, ...args) as Promise<A>,
          catch: (cause) => new Redis.RedisError({ cause })
        }),
      subscribe: () => unused("subscriptions"),
      connect: unused("reserved connections")
    })
  })

/**
 * The store, its client open for the scope; its keys are `prefix` then the limit's key.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (
  options: RedisOptions & { readonly prefix: string }
): Effect.Effect<RateLimiter.RateLimiterStore["Service"], never, Scope.Scope> => {
  const { prefix, ...connection } = options
  return Effect.flatMap(
    client(connection),
    (redis) => Effect.provideService(RateLimiter.makeStoreRedis({ prefix }), Redis.Redis, redis)
  )
}

/**
 * @since 0.1.0
 * @category layers
 */
export const layer = (
  options: RedisOptions & { readonly prefix: string }
): Layer.Layer<RateLimiter.RateLimiterStore> => Layer.effect(RateLimiter.RateLimiterStore, make(options))
