import { assert, describe, it } from "@effect/vitest"
import { RequestProfile, TimeoutPolicy } from "@streamguard/core"
import { Config } from "@streamguard/gateway"
import { Admission } from "@streamguard/gateway/admission/Admission"
import type { Duration } from "effect"
import { Effect, Exit, Fiber, Layer, Result, Scope } from "effect"
import { TestClock } from "effect/testing"

const upstreamA = Config.Upstream.make({
  name: "a",
  baseUrl: "http://127.0.0.1:1/v1",
  dialect: "any",
  models: ["a:*"],
  maxConcurrentStreams: 1
})
const upstreamB = Config.Upstream.make({ name: "b", baseUrl: "http://127.0.0.1:1/v1", dialect: "any", models: ["b:*"] })

const admission = (maxConcurrentStreams: number) =>
  Admission.layer.pipe(
    Layer.provide(
      Config.GatewayConfig.make({ ...Config.defaults, maxConcurrentStreams, upstreams: [upstreamA, upstreamB] })
    )
  )

/** Admits `upstream` under a profile with the given pool limit, holding the slots until `scope` closes. */
const admitIn = (scope: Scope.Scope, upstream: Config.Upstream, pool?: Duration.Input) =>
  Admission.use((a) => a.admit(upstream)).pipe(
    Scope.provide(scope),
    Effect.provideService(
      RequestProfile.RequestProfile,
      RequestProfile.make("test", TimeoutPolicy.unsafeMake(pool === undefined ? {} : { pool }))
    )
  )

describe("Admission", () => {
  it.effect("a request waiting for a saturated upstream holds no overall slot: another upstream is admitted", () =>
    Effect.gen(function*() {
      const holder = yield* Scope.make()
      yield* admitIn(holder, upstreamA)
      const waiter = yield* Scope.make()
      const waiting = yield* Effect.forkChild(admitIn(waiter, upstreamA, "1 second"), { startImmediately: true })
      yield* TestClock.adjust("10 millis")
      // Overall limit 2: one held by the holder; the waiter must not hold the other.
      const other = yield* Effect.exit(admitIn(yield* Scope.make(), upstreamB))
      assert.isTrue(Exit.isSuccess(other))
      yield* Fiber.interrupt(waiting)
    }).pipe(Effect.provide(admission(2))))

  it.effect("both slots are waited for under one pool deadline, not one deadline each", () =>
    Effect.gen(function*() {
      const holdA = yield* Scope.make()
      yield* admitIn(holdA, upstreamA)
      const holdB = yield* Scope.make()
      yield* admitIn(holdB, upstreamB)
      const waiting = yield* Effect.forkChild(Effect.result(admitIn(yield* Scope.make(), upstreamA, "1 second")), {
        startImmediately: true
      })
      yield* TestClock.adjust("900 millis")
      yield* Scope.close(holdB, Exit.void)
      yield* TestClock.adjust("200 millis")
      // Past the single 1 s deadline: refused, though the overall slot came free in time.
      const result = yield* Fiber.join(waiting)
      assert.isTrue(Result.isFailure(result))
      if (Result.isFailure(result)) {
        assert.strictEqual(result.failure.status, 503)
        assert.strictEqual(result.failure.retryAfter, "1")
      }
    }).pipe(Effect.provide(admission(2))))

  it.effect("with no pool limit a full gateway refuses at once, with no timer involved", () =>
    Effect.gen(function*() {
      yield* admitIn(yield* Scope.make(), upstreamB)
      // Under TestClock a check that needed a timer would never complete: this one must not.
      const result = yield* Effect.result(admitIn(yield* Scope.make(), upstreamB))
      assert.strictEqual(result._tag, "Failure")
    }).pipe(Effect.provide(admission(1))))

  it.effect("a slot is released when its scope closes, and a waiter within its pool limit gets it", () =>
    Effect.gen(function*() {
      const holder = yield* Scope.make()
      yield* admitIn(holder, upstreamB)
      const waiting = yield* Effect.forkChild(Effect.result(admitIn(yield* Scope.make(), upstreamB, "1 second")), {
        startImmediately: true
      })
      yield* TestClock.adjust("500 millis")
      yield* Scope.close(holder, Exit.void)
      const result = yield* Fiber.join(waiting)
      assert.strictEqual(result._tag, "Success")
    }).pipe(Effect.provide(admission(1))))
})
