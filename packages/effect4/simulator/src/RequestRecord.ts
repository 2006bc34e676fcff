/**
 * What the simulator saw and did for one request: the witness that a client closed its
 * connection and that generation stopped when it did. A `Tracker` keeps one request's record
 * while its response runs. The kernel's records, shared by every Effect line; times are epoch
 * milliseconds from the Clock the simulator runs on.
 *
 * @since 0.1.0
 */
import * as Kernel from "@streamguard/kernel/simulator/RequestRecord"
import * as Schema from "effect/Schema"

export * from "@streamguard/kernel/simulator/RequestRecord"

/**
 * How a response ended, from the server's side: `pending` (still running), `ended` (the server
 * finished the response, whatever the scenario sent), `client_closed` (the connection closed
 * before the response ended, by the client), `reset` (the scenario destroyed the socket).
 *
 * @since 0.1.0
 * @category schemas
 */
export const End: Schema.Codec<Kernel.End> = Schema.Literals(Kernel.ends)

/**
 * @since 0.1.0
 * @category models
 */
export type End = Kernel.End
