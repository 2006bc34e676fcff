/**
 * The `streamguard` program: the command on the process's arguments, with Node's file system,
 * the undici client and the terminal's output. A failure prints its message and exits with 1.
 *
 * @since 0.1.0
 */
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import * as NodeServices from "@effect/platform-node/NodeServices"
import * as LlmClient from "@streamguard/client/LlmClient"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Runtime from "effect/Runtime"
import * as Cli from "../Cli.js"
import * as Output from "../Output.js"

const tty = process.stdout.isTTY === true

// https://no-color.org: any non-empty NO_COLOR turns colour off.
const color = tty && !process.env["NO_COLOR"] && !process.argv.includes("--no-color")

const OutputLive = Output.layer({
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  tty,
  color
})

const program = Cli.run(process.argv).pipe(
  Effect.tapError((error) =>
    error._tag === "CliError"
      // One line per problem, each saying where it comes from.
      ? Output.Output.use((output) =>
        output.error(error.message.split("\n").map((line) => `streamguard: ${line}`).join("\n"))
      )
      : Effect.void
  ),
  Effect.provide(Layer.mergeAll(NodeServices.layer, LlmClient.layerUndici(), OutputLive))
)

NodeRuntime.runMain(program, {
  disableErrorReporting: true,
  // Exit as soon as the command is done: a timer left behind (a guard's deadline that no stream
  // waits for any more) would otherwise keep the process alive until it fires.
  teardown: (exit, onExit) =>
    Runtime.defaultTeardown(exit, (code) => {
      onExit(code)
      process.exit(code)
    })
})
