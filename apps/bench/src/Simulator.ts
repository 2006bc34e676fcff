/**
 * The bench's view of the simulator running in its own process: its URL and its request
 * records (`GET /_sim/requests`), whose close timestamps are the witness for `cancelLatency`.
 *
 * @since 0.1.0
 */
import { request } from "undici"

/**
 * The fields of a simulator record the bench reads (see `@streamguard/testing` `RequestRecord`).
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
