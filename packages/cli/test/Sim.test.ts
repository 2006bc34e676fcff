import { NodeServices } from "@effect/platform-node"
import { assert, describe, it } from "@effect/vitest"
import { Cli, Output } from "@streamguard/cli"
import { LlmClient } from "@streamguard/client"
import { Deferred, Effect, Fiber, Layer } from "effect"

describe("streamguard sim", () => {
  it.live("serves the simulator on the port it prints, until interrupted", () =>
    Effect.gen(function*() {
      const banner = yield* Deferred.make<string>()
      const output = Output.make({
        stdout: (text) => Effect.runSync(Deferred.succeed(banner, text)),
        stderr: () => {},
        tty: false,
        color: false
      })
      const fiber = yield* Cli.run(["node", "streamguard", "sim", "--port", "0"]).pipe(
        Effect.provide(
          Layer.mergeAll(NodeServices.layer, LlmClient.layerUndici(), Layer.succeed(Output.Output, output))
        ),
        Effect.forkChild
      )
      const text = yield* Deferred.await(banner)
      const url = /simulator on (http:\/\/127\.0\.0\.1:\d+)/.exec(text)?.[1]
      assert.isDefined(url)
      const response = yield* Effect.promise(() => fetch(`${url}/_sim/requests`))
      assert.strictEqual(response.status, 200)
      yield* Fiber.interrupt(fiber)
      const refused = yield* Effect.promise(() => fetch(`${url}/_sim/requests`).then(() => false, () => true))
      assert.isTrue(refused)
    }))
})
