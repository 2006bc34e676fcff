/**
 * How the soak names a request that failed: every error a client or a socket can raise gets an
 * outcome label `<class>:<code>`, so a run reports counts per class and never stops on an error
 * it did not expect.
 *
 * Classes:
 * - `socket`: the connection failed: `socket:ECONNRESET` (a reset), `socket:EPIPE` (written to
 *   after the peer closed), `socket:ETIMEDOUT`, `socket:ECONNREFUSED`, `socket:closed` (the peer
 *   closed without a reset, undici's "other side closed"), `socket:<code>` for any other errno.
 * - `descriptors`: this process is out of file descriptors (`descriptors:EMFILE`, its own limit;
 *   `descriptors:ENFILE`, the system's): the soak's own limit, not the gateway's behaviour. A
 *   server out of descriptors shows up at its clients as resets and closed sockets instead (Node
 *   accepts and closes what it cannot hold), which is why the soak reads the gateway's descriptors.
 * - `client`: the soak's own limits and doings: undici's connect, headers and body timeouts
 *   (`client:UND_ERR_CONNECT_TIMEOUT`, ...), `client:aborted`, `client:<code or name>` otherwise;
 *   and `client:closing`, a short stream the soak closed because it had not ended by the deadline
 *   (`SoakLoad`).
 *
 * The codes are looked for through the error's `cause` chain and an `AggregateError`'s `errors`
 * (undici reports a reset as `UND_ERR_SOCKET` caused by `ECONNRESET`): the root cause's errno wins.
 *
 * @since 0.1.0
 */

/**
 * @since 0.1.0
 * @category models
 */
export type ErrorClass = "socket" | "descriptors" | "client"

// Descriptor exhaustion: the process's limit (EMFILE) or the system's (ENFILE).
const descriptorCodes: ReadonlySet<string> = new Set(["EMFILE", "ENFILE"])

// undici's codes for a connection that ended under a request, with no errno of the system's.
const closedCodes: ReadonlySet<string> = new Set(["UND_ERR_SOCKET"])

const errno = /^E[A-Z0-9]+$/

const codeOf = (error: unknown): string | undefined => {
  const code = (error as { code?: unknown } | null | undefined)?.code
  return typeof code === "string" ? code : undefined
}

/** The error itself, then its causes and an AggregateError's errors, depth first (cycles cut). */
const chain = (error: unknown): Array<unknown> => {
  const seen = new Set<unknown>()
  const out: Array<unknown> = []
  const walk = (e: unknown): void => {
    if (e === null || e === undefined || seen.has(e) || seen.size > 32) return
    seen.add(e)
    out.push(e)
    if (typeof e !== "object") return
    walk((e as { cause?: unknown }).cause)
    const errors = (e as { errors?: unknown }).errors
    if (Array.isArray(errors)) { for (const inner of errors) walk(inner) }
  }
  walk(error)
  return out
}

/**
 * The outcome label of a request that failed with `error`: any value, thrown by undici, Node's
 * sockets or anything else.
 *
 * @since 0.1.0
 * @category outcomes
 */
export const outcomeOf = (error: unknown): string => {
  const errors = chain(error)
  const codes = errors.map(codeOf).filter((code): code is string => code !== undefined)
  const system = codes.filter((code) => errno.test(code)).pop()
  if (system !== undefined) return descriptorCodes.has(system) ? `descriptors:${system}` : `socket:${system}`
  const own = codes[0]
  if (own !== undefined && closedCodes.has(own)) return "socket:closed"
  const name = (error as { name?: unknown } | null | undefined)?.name
  if (own === "UND_ERR_ABORTED" || name === "AbortError") return "client:aborted"
  if (own !== undefined) return `client:${own}`
  return `client:${typeof name === "string" && name.length > 0 ? name : typeof error}`
}

/**
 * The class of an outcome label: `done` and `closed_by_soak` (not errors), `http` for
 * `http_<status>`, `inband` for the gateway's error events, `unexpected_end`, `uncaught` (an error
 * nothing else caught), or the class of a failed request's label.
 *
 * @since 0.1.0
 * @category outcomes
 */
export const classOf = (outcome: string): string =>
  outcome.startsWith("http_") ? "http" : outcome.includes(":") ? outcome.slice(0, outcome.indexOf(":")) : outcome
