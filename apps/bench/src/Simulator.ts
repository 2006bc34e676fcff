/**
 * The bench's view of the simulator running in its own process: its URL and its request
 * records (`GET /_sim/requests`), whose close timestamps are the witness for `cancelLatency`.
 *
 * @since 0.1.0
 */
import { request } from "undici"
import { sleep } from "./Stats.js"

/**
 * The fields of a simulator record the bench reads (see `@streamguard/simulator` `RequestRecord`).
 *
 * @since 0.1.0
 * @category models
 */
export interface Record {
  readonly id: string
  readonly model: string
  readonly startedAt: number
  readonly headersAt: number | null
  readonly chunks: number
  readonly lastWriteAt: number | null
  readonly closedAt: number | null
  readonly finishedAt: number | null
  readonly end: "pending" | "ended" | "client_closed" | "reset"
}

/**
 * Every record the simulator holds, oldest first.
 *
 * @since 0.1.0
 * @category records
 */
export const records = async (url: string): Promise<ReadonlyArray<Record>> => {
  const response = await request(`${url}/_sim/requests`)
  return (await response.body.json()) as ReadonlyArray<Record>
}

/**
 * The simulator's close times (`closedAt`) by model, once every one of `models` has closed
 * (waits up to 10 s).
 *
 * @since 0.1.0
 * @category records
 */
export const closes = async (url: string, models: ReadonlyArray<string>): Promise<Map<string, number>> => {
  const deadline = Date.now() + 10_000
  for (;;) {
    const byModel = new Map<string, number>()
    for (const record of await records(url)) {
      if (record.closedAt !== null) byModel.set(record.model, record.closedAt)
    }
    if (models.every((model) => byModel.has(model))) return byModel
    if (Date.now() > deadline) {
      throw new Error(`simulator saw ${models.filter((m) => byModel.has(m)).length} of ${models.length} closes`)
    }
    await sleep(100)
  }
}

/**
 * Forgets every record, so one scenario's queries see only its own requests.
 *
 * @since 0.1.0
 * @category records
 */
export const clear = async (url: string): Promise<void> => {
  const response = await request(`${url}/_sim/requests`, { method: "DELETE" })
  await response.body.dump()
}

/**
 * The OpenAI chat request body every consumer sends: the scenario travels in the model name.
 *
 * @since 0.1.0
 * @category requests
 */
export const chatBody = (model: string): string =>
  JSON.stringify({ model, stream: true, messages: [{ role: "user", content: "hi" }] })
