/**
 * Messages between the runner and a worker over Node's IPC channel. The runner answers
 * questions a worker must not answer itself: polling the simulator's records from inside a
 * memory scenario would allocate in the very heap being measured.
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
 * @since 0.1.0
 * @category models
 */
export type FromWorker =
  | AwaitOpen
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
}

let nextId = 0
const pending = new Map<number, { resolve: () => void; reject: (error: Error) => void }>()
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

/**
 * Asks the runner to wait until `count` streams of `modelPrefix` have their headers.
 *
 * @since 0.1.0
 * @category worker
 */
export const awaitOpen = (modelPrefix: string, count: number): Promise<void> => {
  if (!listening) {
    listening = true
    process.on("message", (message: Answer) => {
      const waiter = pending.get(message.id)
      if (waiter === undefined) return
      pending.delete(message.id)
      if (message.error === undefined) waiter.resolve()
      else waiter.reject(new Error(message.error))
    })
  }
  const id = nextId++
  return new Promise((resolve, reject) => {
    pending.set(id, { resolve, reject })
    send({ _tag: "AwaitOpen", id, modelPrefix, count }).catch(reject)
  })
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
