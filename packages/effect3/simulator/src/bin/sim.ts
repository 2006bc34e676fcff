/**
 * The simulator as a program: `npm run sim --workspace=@streamguard/simulator-effect3 -- --port 8787`.
 * Ctrl-C closes every connection.
 *
 * It is the kernel's program on the kernel's server (the one `UpstreamSimulator` runs in a scope):
 * a process that serves until a signal needs no Effect runtime, and both lines' bins stay one.
 *
 * @since 0.1.0
 */
import * as SimulatorCli from "@streamguard/kernel/simulator/SimulatorCli"

SimulatorCli.main()
