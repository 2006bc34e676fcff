/**
 * The soak's upstream: the kernel's simulator server (the one every Effect line's
 * `UpstreamSimulator` runs), with no Effect, in a process of its own on a free loopback port,
 * announced to the soak over IPC. It exits when the soak goes away.
 *
 * @since 0.1.0
 */
import * as SimulatorServer from "@streamguard/kernel/simulator/SimulatorServer"

// The soak reads no records: a small ring keeps the simulator's memory flat over a long run.
const simulator = await SimulatorServer.start({ port: 0, host: "127.0.0.1", maxRecords: 1_000 })
process.send?.({ url: simulator.url })

process.once("disconnect", () => {
  void simulator.close().finally(() => process.exit(0))
})
