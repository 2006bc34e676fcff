/**
 * Messages between the runner and a worker over Node's IPC channel. The runner answers
 * questions a worker must not answer itself: polling the simulator's records from inside a
 * memory scenario would allocate in the very heap being measured, and the gateway a scenario
 * measures is the runner's child, sampled from outside.
 *
 * @since 0.1.0
 */
import type { Metrics } from "./Scenario.js"

/**
 * A worker's question: wake me when the simulator has sent headers for `count` requests whose
 * model starts with `modelPrefix`.
 *
 * @since 0.1.0
 * @category models
 */
export interface AwaitOpen {
  readonly _tag: "AwaitOpen"
  readonly id: number
  readonly modelPrefix: string
  readonly count: number
}

/**
 * A worker's question: the resource usage of the gateway process the runner started for this run
 * (`Scenario.ownGateway`), read from `/proc`; after full collections in the gateway when `collect`.
 *
 * @since 0.1.0
 * @category models
 */
export interface SampleGateway {
  readonly _tag: "SampleGateway"
  readonly id: number
  readonly collect: boolean
}

/**
 * One reading of a process's usage, taken from outside it.
 *
 * @since 0.1.0
 * @category models
 */
export interface Usage {
  /** Resident set size (`VmRSS`). */
  readonly rssBytes: number
  /** CPU time (user + system) of all its threads since it started. */
  readonly cpuMicros: number
  /** Descriptors it holds open (`/proc/<pid>/fd`), and its soft limit on them. */
  readonly descriptors: number
  readonly descriptorLimit: number
  /** When the reading was taken (`Stats.epochMillis`). */
  readonly atMillis: number
  /** V8's `heapUsed` after the collections, as the process reports it (only with `collect`). */
  readonly heapUsedBytes?: number | undefined
}

/**
 * @since 0.1.0
 * @category models
 */
export type FromWorker =
  | AwaitOpen
  | SampleGateway
  | { readonly _tag: "Result"; readonly runs: ReadonlyArray<Metrics> }
  | { readonly _tag: "Failed"; readonly message: string }

/**
 * @since 0.1.0
 * @category models
 */
export interface Answer {
  readonly _tag: "Answer"
  readonly id: number
  readonly error?: string | undefined
  readonly usage?: Usage | undefined
}

type Question = AwaitOpen | SampleGateway

let nextId = 0
const pending = new Map<number, { resolve: (answer: Answer) => void; reject: (error: Error) => void }>()
let listening = false

/**
 * Sends a message to the runner.
 *
 * @since 0.1.0
 * @category worker
 */
export const send = (message: FromWorker): Promise<void> =>
  new Promise((resolve, reject) => {
    if (process.send === undefined) return reject(new Error("not started by the bench runner (no IPC channel)"))
    process.send(message, undefined, undefined, (error) => (error === null ? resolve() : reject(error)))
  })

const ask = (question: Omit<AwaitOpen, "id"> | Omit<SampleGateway, "id">): Promise<Answer> => {
  if (!listening) {
    listening = true
    process.on("message", (message: Answer) => {
      const waiter = pending.get(message.id)
      if (waiter === undefined) return
      pending.delete(message.id)
      if (message.error === undefined) waiter.resolve(message)
      else waiter.reject(new Error(message.error))
    })
  }
  const id = nextId++
  return new Promise((resolve, reject) => {
    pending.set(id, { resolve, reject })
    send({ ...question, id } as Question).catch(reject)
  })
}

/**
 * Asks the runner to wait until `count` streams of `modelPrefix` have their headers.
 *
 * @since 0.1.0
 * @category worker
 */
export const awaitOpen = async (modelPrefix: string, count: number): Promise<void> => {
  await ask({ _tag: "AwaitOpen", modelPrefix, count })
}

/**
 * Asks the runner for the usage of this run's gateway process (see `SampleGateway`).
 *
 * @since 0.1.0
 * @category worker
 */
export const sampleGateway = async (collect: boolean): Promise<Usage> => {
  const answer = await ask({ _tag: "SampleGateway", collect })
  if (answer.usage === undefined) throw new Error("the runner answered without the gateway's usage")
  return answer.usage
}

/**
 * Lets the worker exit once nothing else is pending (the IPC listener would keep it alive).
 *
 * @since 0.1.0
 * @category worker
 */
export const release = (): void => {
  process.removeAllListeners("message")
  process.disconnect?.()
}
