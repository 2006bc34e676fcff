/**
 * What the simulator saw and did for one request: the witness that a client closed its
 * connection and that generation stopped when it did. A `Tracker` keeps one request's record
 * while its response runs. The kernel's records, shared by every Effect line.
 *
 * @since 0.1.0
 */
export * from "@streamguard/kernel/simulator/RequestRecord"
