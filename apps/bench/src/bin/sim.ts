/**
 * The simulator in a process of its own (its CPU is not the consumers'), on a free loopback
 * port, announced to the runner over IPC. It exits when the runner goes away.
 *
 * @since 0.1.0
 */
import { NodeRuntime } from "@effect/platform-node"
import { UpstreamSimulator } from "@streamguard/simulator"
import { Effect } from "effect"

const program = Effect.gen(function*() {
  // Enough records for the largest scenario: its close times are read back after the run.
  const simulator = yield* UpstreamSimulator.make({ port: 0, host: "127.0.0.1", maxRecords: 100_000 })
  process.send?.({ url: simulator.url })
  return yield* Effect.never
}).pipe(Effect.scoped)

// The runner going away is the end of the bench.
process.once("disconnect", () => process.exit(0))

NodeRuntime.runMain(program)
