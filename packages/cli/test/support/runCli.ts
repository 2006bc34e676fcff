import { NodeServices } from "@effect/platform-node"
import { Cli, Output } from "@streamguard/cli"
import { LlmClient } from "@streamguard/client"
import { ConfigProvider, Effect, Layer, Result } from "effect"

/** What one in-process run of the command printed, and how it ended. */
export interface Ran {
  readonly stdout: string
  readonly stderr: string
  /** The failure's tag and message, when the command failed. */
  readonly failure: { readonly _tag: string; readonly message: string } | undefined
}

/**
 * Runs `streamguard <args>` in this process, as the bin does, with its output captured, `env` as
 * its environment (nothing of the real one) and `terminal` saying what stdout is.
 */
export const runCli = (
  args: ReadonlyArray<string>,
  env: Record<string, string> = {},
  terminal: { readonly color?: boolean; readonly tty?: boolean } = {}
) =>
  Effect.gen(function*() {
    const result = yield* Effect.result(Cli.run(["node", "streamguard", ...args]))
    const capture = yield* Output.Capture
    return {
      stdout: yield* capture.stdout,
      stderr: yield* capture.stderr,
      failure: Result.isFailure(result)
        ? { _tag: result.failure._tag, message: "message" in result.failure ? String(result.failure.message) : "" }
        : undefined
    } satisfies Ran
  }).pipe(
    Effect.provideService(ConfigProvider.ConfigProvider, ConfigProvider.fromEnv({ env })),
    Effect.provide(Layer.mergeAll(NodeServices.layer, LlmClient.layerUndici(), Output.layerTest(terminal)))
  )
