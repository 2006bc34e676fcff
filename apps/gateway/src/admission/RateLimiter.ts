/**
 * Request rates per upstream and per gateway key, counted by effect's `RateLimiter`
 * (`effect/persistence/RateLimiter`): shared by every replica through Redis when `redisUrl` is set, else in this
 * process's memory. A replica that cannot reach Redis counts locally (each limit's
 * `whenStoreDown: "local"`, the default) or refuses with 503 (`"refuse"`), says so once in its
 * log, shows it in `streamguard_gateway_rate_limit_shared` and in `store` (for `/readyz`), and
 * tries Redis again once a second.
 *
 * @since 0.1.0
 */
import { Clock, Context, Duration, Effect, Layer, Metric, Option, Redacted, Ref } from "effect"
import { HttpServerRequest } from "effect/http/HttpServerRequest"
import * as EffectRateLimiter from "effect/persistence/RateLimiter"
import { createHash } from "node:crypto"
import * as ErrorResponse from "../api/ErrorResponse.js"
import { GatewayConfig } from "../config/Config.js"
import type { RateLimit } from "../config/RateLimitsConfig.js"
import type { Upstream } from "../config/Upstream.js"
import * as RedisRateLimitStore from "./RedisRateLimitStore.js"

/**
 * 1 while the rate limits are counted in Redis, 0 while this replica counts them locally because
 * Redis is unreachable; absent when no Redis is configured.
 *
 * @since 0.1.0
 * @category metrics
 */
export const shared = Metric.gauge("streamguard_gateway_rate_limit_shared", {
  description: "1: rate limits counted in Redis; 0: Redis unreachable, counted in this replica"
})

/**
 * Requests refused by a rate limit, by `limit` (`key` or `upstream`).
 *
 * @since 0.1.0
 * @category metrics
 */
export const limited = Metric.counter("streamguard_gateway_rate_limited_total", {
  description: "requests refused with 429 by a rate limit",
  incremental: true
})

/** The refusals by `limit`, one series each, made once. */
const limitedBy = {
  key: Metric.withAttributes(limited, { limit: "key" }),
  upstream: Metric.withAttributes(limited, { limit: "upstream" })
} as const

/**
 * Where the limits are counted now, for `/readyz`'s detail.
 *
 * @since 0.1.0
 * @category models
 */
export type Store = "memory" | "redis" | "memory (redis unreachable)"

/** The store options of a `redis://[user:password@]host[:port][/db]` URL. */
const redisOptions = (url: Redacted.Redacted) => {
  const parsed = new URL(Redacted.value(url))
  const db = Number(parsed.pathname.slice(1))
  return {
    host: parsed.hostname,
    port: parsed.port === "" ? 6379 : Number(parsed.port),
    ...(parsed.username === "" ? {} : { username: decodeURIComponent(parsed.username) }),
    ...(parsed.password === "" ? {} : { password: decodeURIComponent(parsed.password) }),
    ...(Number.isInteger(db) && db > 0 ? { db } : {}),
    prefix: "streamguard:ratelimit:",
    // A request waits for Redis at most `commandTimeout`: while connecting at start-up (commands
    // queue until the connection is ready), and when Redis went away or stopped answering. Then
    // the replica counts locally and tries Redis again only once a second (`retryEvery`); quick
    // reconnects bring the shared limits back soon after Redis does.
    enableOfflineQueue: true,
    maxRetriesPerRequest: 0,
    commandTimeout: 250,
    connectTimeout: 1000,
    retryStrategy: (times: number) => Math.min(times * 100, 1000)
  }
}

/** While Redis is unreachable, how often a request tries it again (the others count locally at once). */
const retryEvery = Duration.seconds(1)

/** Counts in the given store (effect's `RateLimiter` over Redis or memory). */
const limiterOn = (store: EffectRateLimiter.RateLimiterStore["Service"]) =>
  Effect.provideService(EffectRateLimiter.make, EffectRateLimiter.RateLimiterStore, store)

/** A gateway key as a rate-limit key: its hash, so Redis never holds the key itself. */
const keyId = (key: string): string => createHash("sha256").update(key).digest("hex").slice(0, 24)

/** The key a request presents, read as `Auth` reads it. */
const presentedKey = (headers: Readonly<Record<string, string | undefined>>): string | undefined => {
  const authorization = headers["authorization"]
  const presented = authorization !== undefined && /^bearer\s+/i.test(authorization)
    ? authorization.replace(/^bearer\s+/i, "").trim()
    : headers["x-api-key"]?.trim()
  return presented === undefined || presented.length === 0 ? undefined : presented
}

/** A request over `limit`: 429, with when to try again. */
const refuse = (what: string, limit: RateLimit, retryAfter: Duration.Duration) =>
  new ErrorResponse.GatewayError({
    status: 429,
    type: "rate_limit_exceeded",
    code: "rate_limit_exceeded",
    detail: `${what} is over its rate limit of ${limit.requests} requests per ${Duration.format(limit.per)}`,
    retryAfter: String(Math.max(1, Math.ceil(Duration.toSeconds(retryAfter))))
  })

/** A limit that refuses while Redis is unreachable (`whenStoreDown: "refuse"`): 503. */
const unavailable = (what: string) =>
  new ErrorResponse.GatewayError({
    status: 503,
    type: "rate_limiter_unavailable",
    code: "rate_limiter_unavailable",
    detail: `the shared rate limit of ${what} cannot be checked`,
    retryAfter: "1"
  })

const consumeOn = (limiter: EffectRateLimiter.RateLimiter, key: string, limit: RateLimit) =>
  limiter.consume({ key, limit: limit.requests, window: limit.per, algorithm: "fixed-window" })

/**
 * Counting in Redis, and what happens while it is unreachable: each limit counts locally or
 * refuses, as it says; the change is logged once and shown in the `shared` gauge; and one request
 * a second tries Redis again.
 */
const sharedCounter = (redis: EffectRateLimiter.RateLimiter, local: EffectRateLimiter.RateLimiter) =>
  Effect.gen(function*() {
    const up = yield* Ref.make(true)
    /** While Redis is unreachable: when a request may try it again (epoch millis). */
    const retryAt = yield* Ref.make(0)
    yield* Metric.update(shared, 1)

    const reachable = (now: boolean, cause?: unknown) =>
      Effect.flatMap(Ref.getAndSet(up, now), (was) =>
        was === now ? Effect.void : Effect.andThen(
          Metric.update(shared, now ? 1 : 0),
          now
            ? Effect.logInfo("rate limits: Redis reachable again, limits shared across replicas")
            : Effect.logWarning("rate limits: Redis unreachable, limits counted in this replica only").pipe(
              Effect.annotateLogs({ cause: String(cause) })
            )
        ))

    // While Redis is unreachable, one request a second tries it (it claims the try); the rest
    // count locally without waiting.
    const mayTry = Effect.flatMap(
      Effect.zip(Ref.get(up), Clock.currentTimeMillis),
      ([isUp, now]) =>
        isUp ?
          Effect.succeed(true) :
          Ref.modify(retryAt, (at) => now >= at ? [true, now + Duration.toMillis(retryEvery)] : [false, at])
    )

    /** Counts in Redis; while it is unreachable, counts locally or refuses as the limit says. */
    const consume = (what: string, key: string, limit: RateLimit) => {
      const fallback: Effect.Effect<
        EffectRateLimiter.ConsumeResult,
        EffectRateLimiter.RateLimiterError | ErrorResponse.GatewayError
      > = limit.whenStoreDown === "refuse" ? Effect.fail(unavailable(what)) : consumeOn(local, key, limit)
      const tryShared = consumeOn(redis, key, limit).pipe(
        Effect.tap(() => reachable(true)),
        Effect.catchIf(
          (error) => error._tag === "RateLimiterError" && error.reason._tag === "RateLimitStoreError",
          (error) =>
            Effect.andThen(
              Effect.flatMap(Clock.currentTimeMillis, (now) => Ref.set(retryAt, now + Duration.toMillis(retryEvery))),
              Effect.andThen(reachable(false, error.cause), fallback)
            )
        )
      )
      return Effect.flatMap(mayTry, (yes) => yes ? tryShared : fallback)
    }

    return { consume, isUp: Ref.get(up) } as const
  })

/**
 * The gateway's rate limiter: counts each request against its upstream's rate and its key's, and
 * refuses one over either.
 *
 * @since 0.1.0
 * @category services
 */
export class RateLimiter extends Context.Service<RateLimiter>()("gateway/RateLimiter", {
  make: Effect.gen(function*() {
    const config = yield* GatewayConfig
    const limits = config.rateLimits
    const perKey = config.gatewayKeys.length > 0 ? limits.perKey : undefined
    // Built here, not shared: each gateway (a test runs several in one process) counts on its own.
    const memory = yield* Layer.build(EffectRateLimiter.layerStoreMemory)
    const local = yield* limiterOn(Context.get(memory, EffectRateLimiter.RateLimiterStore))
    const redis = config.redisUrl === undefined || (perKey === undefined && Object.keys(limits.upstreams).length === 0)
      ? Option.none()
      : Option.some(
        yield* sharedCounter(
          yield* limiterOn(yield* RedisRateLimitStore.make(redisOptions(config.redisUrl))),
          local
        )
      )
    // A request's key is counted once, though a failover admits it again on another upstream.
    const counted = new WeakSet<object>()

    const consume = (kind: "key" | "upstream", what: string, key: string, limit: RateLimit) =>
      (Option.isSome(redis) ? redis.value.consume(what, key, limit) : consumeOn(local, key, limit)).pipe(
        Effect.asVoid,
        Effect.catchTag("RateLimiterError", (error) =>
          error.reason._tag === "RateLimitExceeded"
            ? Effect.andThen(
              Metric.update(limitedBy[kind], 1),
              Effect.fail(refuse(what, limit, error.reason.retryAfter))
            )
            // The memory store does not fail, and Redis failures were handled above.
            : Effect.void)
      )

    /**
     * Counts one request against its upstream's rate and its key's; fails with 429 and
     * `retry-after` when either is spent (the upstream's first, so a refused request spends no
     * key budget).
     */
    // Untraced: it runs once per request, on the hot path.
    const admit = Effect.fnUntraced(function*(upstream: Upstream) {
      const own = limits.upstreams[upstream.name]
      if (own !== undefined) yield* consume("upstream", `upstream ${upstream.name}`, `upstream:${upstream.name}`, own)
      if (perKey === undefined) return
      const request = yield* Effect.serviceOption(HttpServerRequest)
      const source = request.pipe(Option.map((request) => request.source as object))
      if (Option.isNone(request) || Option.isNone(source) || counted.has(source.value)) return
      const key = presentedKey(request.value.headers)
      if (key === undefined) return
      counted.add(source.value)
      yield* consume("key", "this key", `key:${keyId(key)}`, perKey)
    })

    const store: Effect.Effect<Store> = Option.isNone(redis)
      ? Effect.succeed("memory")
      : Effect.map(redis.value.isUp, (now) => now ? "redis" : "memory (redis unreachable)")

    return { admit, store } as const satisfies {
      readonly admit: (upstream: Upstream) => Effect.Effect<void, ErrorResponse.GatewayError>
      readonly store: Effect.Effect<Store>
    }
  })
}) {
  /**
   * The rate limiter of the gateway's config, its Redis client (when it has one) open for the layer.
   *
   * @since 0.1.0
   */
  static readonly layer: Layer.Layer<RateLimiter, never, GatewayConfig> = Layer.effect(RateLimiter, RateLimiter.make)
}
