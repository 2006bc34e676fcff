/**
 * Runs one scenario: its worker processes one after the other (never two measured processes at
 * once), answering their questions about the simulator, then the median of each metric over the
 * runs, with min and max kept.
 *
 * @since 0.1.0
 */
import type { ChildProcess } from "node:child_process"
import * as Child from "./Child.js"
import type { Answer, FromWorker, Usage } from "./Ipc.js"
import * as NodeProcess from "./NodeProcess.js"
import * as Proc from "./Proc.js"
import type { Job, Metrics, Scenario, Section } from "./Scenario.js"
import type { Settings } from "./Settings.js"
import * as Simulator from "./Simulator.js"
import { median, sleep } from "./Stats.js"

/**
 * The spread behind one median.
 *
 * @since 0.1.0
 * @category models
 */
export interface Spread {
  readonly min: number
  readonly max: number
  readonly runs: ReadonlyArray<number>
}

/**
 * A scenario's report: the section, plus each variant's runs.
 *
 * @since 0.1.0
 * @category models
 */
export interface Result extends Section {
  readonly spread: Readonly<Record<string, Readonly<Record<string, Spread>>>>
}

/**
 * @since 0.1.0
 * @category models
 */
export interface Context {
  readonly settings: Settings
  readonly simUrl: string
  readonly simPid: number | undefined
  readonly gatewayUrl: string | undefined
}

const awaitOpen = async (simUrl: string, modelPrefix: string, count: number): Promise<void> => {
  const deadline = Date.now() + 60_000
  let pause = 100
  for (;;) {
    const open = (await Simulator.records(simUrl)).filter((record) =>
      record.model.startsWith(modelPrefix) && record.headersAt !== null
    ).length
    if (open >= count) {
      return
    }
    if (Date.now() > deadline) {
      throw new Error(`only ${open} of ${count} streams opened`)
    }
    // Each poll makes the simulator encode every record: polling fast slows the very opening it
    // waits for, so the pause doubles up to a second.
    await sleep(pause)
    pause = Math.min(1_000, pause * 2)
  }
}

const sampleGateway = async (gateway: ChildProcess | undefined, full: boolean): Promise<Usage> => {
  if (gateway?.pid === undefined) throw new Error("this scenario has no gateway of its own to sample")
  if (!full) return Proc.usage(gateway.pid)
  const heapUsedBytes = await NodeProcess.collectIn(gateway)
  return { ...await Proc.usage(gateway.pid), heapUsedBytes }
}

const runWorker = (job: Job, scenario: Scenario, gateway?: ChildProcess): Promise<ReadonlyArray<Metrics>> =>
  new Promise((resolve, reject) => {
    const child: ChildProcess = Child.start("worker", [JSON.stringify(job)], { exposeGc: scenario.exposeGc })
    let settled = false
    child.on("message", (message: FromWorker) => {
      const answer = (id: number, error?: string, usage?: Usage) =>
        child.send(
          {
            _tag: "Answer",
            id,
            ...(error === undefined ? {} : { error }),
            ...(usage === undefined ? {} : { usage })
          } satisfies Answer
        )
      switch (message._tag) {
        case "AwaitOpen": {
          awaitOpen(job.simUrl, message.modelPrefix, message.count).then(
            () => answer(message.id),
            (error: unknown) => answer(message.id, String(error))
          )
          return
        }
        case "SampleGateway": {
          sampleGateway(gateway, message.collect).then(
            (usage) => answer(message.id, undefined, usage),
            (error: unknown) => answer(message.id, String(error))
          )
          return
        }
        case "Result":
          settled = true
          return resolve(message.runs)
        case "Failed":
          settled = true
          return reject(new Error(`${job.scenario}/${job.variant}: ${message.message}`))
      }
    })
    child.once("exit", (code) => {
      if (!settled) reject(new Error(`${job.scenario}/${job.variant}: worker exited with ${code} and no result`))
    })
  })

/** A failed run's error, with what the gateway logged about running out of descriptors, if it did. */
const withLogged = (error: unknown, logged: { readonly count: number; readonly first: ReadonlyArray<string> }) => {
  const message = error instanceof Error ? error.message : String(error)
  return logged.count === 0 ? error : new Error(
    `${message}\nEMFILE: the gateway logged it ${logged.count} times; first: ${logged.first[0]}`
  )
}

/**
 * Runs `scenario` in its worker processes and summarises the runs.
 *
 * @since 0.1.0
 * @category running
 */
export const run = async (scenario: Scenario, context: Context): Promise<Result> => {
  const runs = scenario.runs(context.settings)
  const medians: Record<string, Metrics> = {}
  const spread: Record<string, Record<string, Spread>> = {}
  for (const variant of scenario.variants) {
    const job = (count: number, gatewayUrl = context.gatewayUrl): Job => ({
      scenario: scenario.name,
      variant,
      settings: context.settings,
      runs: count,
      simUrl: context.simUrl,
      simPid: context.simPid,
      gatewayUrl
    })
    const all: Array<Metrics> = []
    if (scenario.ownGateway !== undefined) {
      const flags = ["--upstream", context.simUrl, ...scenario.ownGateway(context.settings)]
      for (let i = 0; i < runs; i++) {
        await Simulator.clear(context.simUrl)
        const gateway = await Child.server("gateway", flags, { exposeGc: true, watch: /EMFILE/ })
        try {
          all.push(
            ...await runWorker(job(1, gateway.url), scenario, gateway.child).catch((error: unknown) => {
              throw withLogged(error, gateway.watched())
            })
          )
        } finally {
          await NodeProcess.stop(gateway.child)
        }
      }
    } else if (scenario.processPerRun) {
      for (let i = 0; i < runs; i++) {
        await Simulator.clear(context.simUrl)
        all.push(...await runWorker(job(1), scenario))
      }
    } else {
      await Simulator.clear(context.simUrl)
      all.push(...await runWorker(job(runs), scenario))
    }
    const names = Object.keys(all[0] ?? {})
    medians[variant] = Object.fromEntries(names.map((name) => [name, median(all.map((m) => m[name]!))]))
    spread[variant] = Object.fromEntries(names.map((name) => {
      const values = all.map((m) => m[name]!)
      return [name, { min: Math.min(...values), max: Math.max(...values), runs: values }]
    }))
  }
  return { ...scenario.section(medians), spread }
}
