import { assert, describe, it } from "@effect/vitest"
import * as DisconnectPolicy from "@streamguard/gateway/relay/DisconnectPolicy"
import { Deferred, Duration, Effect, Exit, Fiber, Ref, Result, Scope } from "effect"
import { TestClock } from "effect/testing"

describe("DisconnectPolicy.parse", () => {
  it("reads cancel and drain in any case, and no header as cancel", () => {
    assert.deepStrictEqual(DisconnectPolicy.parse(undefined), Result.succeed("cancel"))
    assert.deepStrictEqual(DisconnectPolicy.parse(" Drain "), Result.succeed("drain"))
    assert.deepStrictEqual(DisconnectPolicy.parse("CANCEL"), Result.succeed("cancel"))
  })

  it("refuses any other value with a 400 naming the header", () => {
    const refused = DisconnectPolicy.parse("later")
    assert.isTrue(Result.isFailure(refused))
    if (Result.isFailure(refused)) {
      assert.strictEqual(refused.failure.status, 400)
      assert.strictEqual(refused.failure.param, DisconnectPolicy.header)
    }
  })
})

describe("DisconnectPolicy.release", () => {
  /** An upstream scope whose close is recorded, and a pull that counts its calls and never ends. */
  const setup = Effect.gen(function*() {
    const gatewayScope = yield* Scope.make()
    const upstream = yield* Scope.make()
    const closed = yield* Deferred.make<void>()
    yield* Scope.addFinalizer(upstream, Deferred.succeed(closed, undefined))
    const pulls = yield* Ref.make(0)
    const pull = Effect.andThen(Ref.update(pulls, (n) => n + 1), Effect.never)
    return { gatewayScope, upstream, closed, pulls, pull }
  })

  it.effect("cancel closes the upstream at once without pulling it", () =>
    Effect.gen(function*() {
      const { closed, gatewayScope, pull, pulls, upstream } = yield* setup
      yield* DisconnectPolicy.release("cancel", {
        upstream,
        pull,
        exit: Exit.void,
        window: Duration.seconds(10),
        gatewayScope
      })
      assert.isTrue(yield* Deferred.isDone(closed))
      assert.strictEqual(yield* Ref.get(pulls), 0)
    }))

  it.effect("drain keeps pulling the upstream for the window, then closes it", () =>
    Effect.gen(function*() {
      const { closed, gatewayScope, pull, pulls, upstream } = yield* setup
      yield* DisconnectPolicy.release("drain", {
        upstream,
        pull,
        exit: Exit.void,
        window: Duration.seconds(10),
        gatewayScope
      })
      const waited = yield* Effect.forkChild(Deferred.await(closed))
      yield* TestClock.adjust(Duration.seconds(9))
      assert.strictEqual(yield* Ref.get(pulls), 1)
      assert.isFalse(yield* Deferred.isDone(closed))
      yield* TestClock.adjust(Duration.seconds(1))
      yield* Fiber.join(waited)
      assert.isTrue(yield* Deferred.isDone(closed))
    }))

  it.effect("an upstream that never opened is closed at once, even under drain", () =>
    Effect.gen(function*() {
      const { closed, gatewayScope, upstream } = yield* setup
      yield* DisconnectPolicy.release("drain", {
        upstream,
        pull: undefined,
        exit: Exit.void,
        window: Duration.seconds(10),
        gatewayScope
      })
      assert.isTrue(yield* Deferred.isDone(closed))
    }))
})
