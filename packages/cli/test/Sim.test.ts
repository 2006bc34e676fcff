import { NodeServices } from "@effect/platform-node"
import { assert, describe, it } from "@effect/vitest"
import { Cli, Output } from "@streamguard/cli"
import { LlmClient } from "@streamguard/client"
import * as SimulatorServer from "@streamguard/kernel/simulator/SimulatorServer"
import { Deferred, Effect, Fiber, Layer } from "effect"
import { runCli } from "./support/runCli.js"

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
      assert.isTrue(text.includes(`Try:\n  npx streamguard probe ${url}/v1/chat/completions --dialect openaiChat`))
      const response = yield* Effect.promise(() => fetch(`${url}/_sim/requests`))
      assert.strictEqual(response.status, 200)
      yield* Fiber.interrupt(fiber)
      const refused = yield* Effect.promise(() => fetch(`${url}/_sim/requests`).then(() => false, () => true))
      assert.isTrue(refused)
    }))

  it.effect("a port that is not one fails in the simulator program's words", () =>
    Effect.gen(function*() {
      const ran = yield* runCli(["sim", "--port", "65536"])
      assert.deepStrictEqual(ran.failure, { _tag: "CliError", message: "--port must be a port number, got 65536" })
    }))

  it.live("a port in use fails naming the address and Node's reason", () =>
    Effect.gen(function*() {
      const taken = yield* Effect.acquireRelease(
        Effect.promise(() => SimulatorServer.start()),
        (server) => Effect.promise(server.close)
      )
      const ran = yield* runCli(["sim", "--port", String(taken.port)])
      assert.deepStrictEqual(ran.failure, {
        _tag: "CliError",
        message:
          `cannot listen on 127.0.0.1:${taken.port}: listen EADDRINUSE: address already in use 127.0.0.1:${taken.port}`
      })
    }))
})
