/**
 * The Redis store under `@effect/experimental`'s `RateLimiter`: its fixed-window script, on an
 * ioredis client the gateway owns. The library's own store (`RateLimiter/Redis`) creates its client
 * inside and listens to none of its events, so while Redis is down ioredis prints a stack trace to
 * stderr on every reconnect attempt; here the client's errors are taken in silently, and the
 * gateway reports the outage itself, once, from the commands that fail.
 *
 * @since 0.1.0
 */
import * as RateLimiter from "@effect/experimental/RateLimiter"
import type { Context, Scope } from "effect"
import { Duration, Effect, Layer } from "effect"
import type { RedisOptions } from "ioredis"
import { Redis } from "ioredis"

interface RedisWithFixedWindow extends Redis {
  fixedWindow(key: string, tokens: number, refillMillis: number, limit?: number): Promise<[number, number]>
}

// The script of @effect/experimental's RateLimiter/Redis store (0.61), unchanged: a counter whose
// expiry grows by `refillMillis` per token counted, refused past `limit` without counting.
const fixedWindow = `
local key = KEYS[1]
local tokens = tonumber(ARGV[1])
local refillms = tonumber(ARGV[2])
local limit = tonumber(ARGV[3])
local current = tonumber(redis.call("GET", key))

if not current then
  local nextpttl = refillms * tokens
  redis.call("SET", key, tokens, "PX", nextpttl)
  return { tokens, nextpttl }
end

local currentpttl = tonumber(redis.call("PTTL", key) or "0")
local next = current + tokens
if limit and next > limit then
  return { next, currentpttl }
end

local nextpttl = currentpttl + (refillms * tokens)
redis.call("SET", key, next, "PX", nextpttl)
return { next, nextpttl }
`

const storeError = (message: string, cause?: unknown) =>
  new RateLimiter.RateLimitStoreError({ message, ...(cause === undefined ? {} : { cause }) })

/**
 * The store, its client open for the scope. Fixed windows only: the gateway's rates use no token
 * bucket.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (
  options: RedisOptions & { readonly prefix: string }
): Effect.Effect<Context.Tag.Service<typeof RateLimiter.RateLimiterStore>, never, Scope.Scope> =>
  Effect.map(
    Effect.acquireRelease(
      Effect.sync(() => {
        const redis = new Redis(options) as RedisWithFixedWindow
        // Taken in: the commands that fail say so, and the gateway logs the outage once.
        redis.on("error", () => {})
        redis.defineCommand("fixedWindow", { lua: fixedWindow, numberOfKeys: 1, readOnly: false })
        return redis
      }),
      (redis) => Effect.sync(() => redis.disconnect())
    ),
    (redis) =>
      RateLimiter.RateLimiterStore.of({
        fixedWindow: (window) =>
          Effect.tryPromise({
            try: () =>
              redis.fixedWindow(
                `${options.prefix}${window.key}`,
                window.tokens,
                Duration.toMillis(window.refillRate),
                window.limit
              ),
            catch: (cause) => storeError("Redis did not answer the rate-limit command", cause)
          }),
        tokenBucket: () => Effect.fail(storeError("the gateway's Redis store has no token buckets"))
      })
  )

/**
 * @since 0.1.0
 * @category layers
 */
export const layer = (
  options: RedisOptions & { readonly prefix: string }
): Layer.Layer<RateLimiter.RateLimiterStore> => Layer.scoped(RateLimiter.RateLimiterStore, make(options))
