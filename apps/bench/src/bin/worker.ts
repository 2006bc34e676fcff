/**
 * One scenario variant in a fresh process: `node --import tsx worker.ts '<Job as JSON>'`, started
 * by the runner, which reads the result from the IPC channel.
 *
 * Plain Node code on purpose: the harness is shared by the subject and the baselines, so it must
 * not load Effect into a baseline's process nor add a runtime to anyone's figures.
 *
 * @since 0.1.0
 */
import * as Ipc from "../Ipc.js"
import type { Job } from "../Scenario.js"
import * as Scenarios from "../Scenarios.js"

const main = async (): Promise<void> => {
  const job = JSON.parse(process.argv[2] ?? "null") as Job
  const scenario = Scenarios.byName(job.scenario)
  if (scenario === undefined) throw new Error(`unknown scenario ${job.scenario}`)
  const runs = await scenario.measure(job)
  await Ipc.send({ _tag: "Result", runs })
}

main().then(
  () => {
    Ipc.release()
    // Pools and agents the consumer left behind must not keep a finished worker alive.
    process.exit(0)
  },
  async (error: unknown) => {
    await Ipc.send({ _tag: "Failed", message: error instanceof Error ? error.stack ?? error.message : String(error) })
      .catch(() => undefined)
    process.exit(1)
  }
)
