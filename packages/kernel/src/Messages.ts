/**
 * Every message StreamGuard's errors and readers give, in one place: each line's error classes
 * return these (`get message()`), and its schemas show the readers' reasons, so both lines say
 * the same thing in the same words.
 *
 * @since 0.1.0
 */
import type { TransportFailure } from "./client/TransportFailure.js"
import type { UpstreamHttpFailure } from "./client/UpstreamHttpFailure.js"
import type * as GuardErrors from "./GuardErrors.js"
import type * as Timeouts from "./Timeouts.js"

/**
 * A value as a message shows it: a string quoted, an object as JSON.
 *
 * @since 0.1.0
 * @category formatting
 */
export const show = (value: unknown): string => {
  try {
    return JSON.stringify(value) ?? String(value)
  } catch {
    return String(value)
  }
}

// ---------------------------------------------------------------------------------------------
// Reading durations and rates
// ---------------------------------------------------------------------------------------------

/**
 * A timeout that is no duration at all.
 *
 * @since 0.1.0
 * @category readers
 */
export const notADuration = (input: unknown): string =>
  `expected a duration such as "30s", "2m", "1500 millis", a number of milliseconds, or "none"; got ${
    JSON.stringify(input)
  }`

/**
 * A timeout of zero or less.
 *
 * @since 0.1.0
 * @category readers
 */
export const notPositive = (input: unknown): string => `a timeout must be positive; got ${JSON.stringify(input)}`

/**
 * A rate that is not `<events>/<window>`.
 *
 * @since 0.1.0
 * @category readers
 */
export const notARate = (input: string): string =>
  `expected a rate such as "5/10s" (at least 5 content events in every 10 seconds) or "none"; got ${
    JSON.stringify(input)
  }`

/**
 * A rate of no events.
 *
 * @since 0.1.0
 * @category readers
 */
export const rateWithoutEvents = (input: string): string =>
  `a rate needs at least 1 event per window; got ${JSON.stringify(input)}`

/**
 * A rate whose window is no positive duration.
 *
 * @since 0.1.0
 * @category readers
 */
export const rateWithoutWindow = (input: string): string =>
  `a rate's window must be a positive duration such as "10s"; got ${JSON.stringify(input)}`

// ---------------------------------------------------------------------------------------------
// Building a policy in code
// ---------------------------------------------------------------------------------------------

/**
 * A policy field given something that is no duration (plain JavaScript can pass one).
 *
 * @since 0.1.0
 * @category policies
 */
export const fieldNotADuration = (field: string, value: unknown): string =>
  `TimeoutPolicy.${field}: expected a duration (a Duration, a number of milliseconds, or "30 seconds"); ` +
  `got ${show(value)}`

/**
 * A policy's `minRate` given something that is no rate.
 *
 * @since 0.1.0
 * @category policies
 */
export const fieldNotAMinRate = (value: unknown): string =>
  `TimeoutPolicy.minRate: expected a MinRate (TimeoutPolicy.rate(5, "10 seconds")); got ${show(value)}`

/**
 * A literal budget that is not a positive duration.
 *
 * @since 0.1.0
 * @category policies
 */
export const fieldNotPositive = (field: string, value: unknown): string =>
  `TimeoutPolicy.${field}: expected a positive duration; got ${String(value)}`

/**
 * A literal `minRate` a rate reader refused, with its reason.
 *
 * @since 0.1.0
 * @category policies
 */
export const fieldBadRate = (reason: string): string => `TimeoutPolicy.minRate: ${reason}`

// ---------------------------------------------------------------------------------------------
// The guard's failures
// ---------------------------------------------------------------------------------------------

/** What each timeout says happened, before its details. */
const leads: { readonly [K in Timeouts.Kind]: (details: Timeouts.TimeoutDetails) => string } = {
  pool: () => "no connection slot became free in time",
  connect: () => "could not connect to the upstream in time",
  write: () => "could not send the request body in time",
  headers: () => "the upstream did not answer with headers in time",
  request: () => "the request did not complete in time",
  firstChunk: () => "no first content chunk in time",
  chunk: (details) => `stream went silent: no event for ${details.sinceLastEventMillis} ms`,
  progress: () => "stream made no progress: no content chunk in time, only keepalives or nothing",
  reasoning: () => "stream reasoned too long without starting its answer",
  total: () => "stream exceeded its total time budget"
}

/** `<what> (limit ...; how far the request had got)`. */
const described = (what: string, details: Timeouts.BudgetDetails): string =>
  `${what} (limit ${details.limitMillis} ms` +
  (details.attemptLimitMillis === undefined ? "" : `, ${details.attemptLimitMillis} ms of it this attempt's`) +
  `; ${details.elapsedMillis} ms into the request, ${details.chunks} chunks, ` +
  `last event ${details.lastEvent === "none" ? "none" : `${details.lastEvent} ${details.sinceLastEventMillis} ms ago`})`

/**
 * A timeout: what expired, its limit (and this attempt's share of a shared budget), and how far
 * the request had got: `stream went silent: no event for 30000 ms (limit 30000 ms; 45000 ms into
 * the request, 12 chunks, last event keepalive 30000 ms ago)`.
 *
 * @since 0.1.0
 * @category guard
 */
export const timeout = (kind: Timeouts.Kind, details: Timeouts.BudgetDetails): string =>
  described(leads[kind](details), details)

/**
 * A stream too slow for its `minRate`.
 *
 * @since 0.1.0
 * @category guard
 */
export const slowStream = (details: Timeouts.SlowStreamDetails): string =>
  described(
    `stream too slow: ${details.windowEvents} content events in a window, at least ${details.minEvents} wanted`,
    details
  )

/**
 * An error the upstream reported in-band.
 *
 * @since 0.1.0
 * @category guard
 */
export const upstreamErrorSignal = (
  error: Pick<GuardErrors.UpstreamErrorSignal, "errorType" | "providerMessage">
): string => `upstream reported an error (${error.errorType}): ${error.providerMessage}`

/**
 * A stream that ended without its done signal.
 *
 * @since 0.1.0
 * @category guard
 */
export const unexpectedEnd = (error: Pick<GuardErrors.UnexpectedEnd, "chunks">): string =>
  `upstream ended the stream without its done signal after ${error.chunks} chunks`

/**
 * A stream stopped by its abort signal.
 *
 * @since 0.1.0
 * @category guard
 */
export const streamAborted = (error: Pick<GuardErrors.StreamAborted, "chunks" | "reason">): string =>
  `stream aborted after ${error.chunks} chunks: ${error.reason}`

/**
 * An abort signal's reason in words, as `StreamAborted` keeps it: an error's message, else the
 * reason itself, else `aborted`.
 *
 * @since 0.1.0
 * @category guard
 */
export const abortReason = (reason: unknown): string =>
  reason instanceof Error ? reason.message : String(reason ?? "aborted")

// ---------------------------------------------------------------------------------------------
// Configuration
// ---------------------------------------------------------------------------------------------

/**
 * What is wrong with a `STREAMGUARD_*` variable no setting reads, without its name: `not a
 * StreamGuard setting, so it changes nothing; did you mean STREAMGUARD_CHAT_FIRST_CHUNK_TIMEOUT?`.
 *
 * @since 0.1.0
 * @category config
 */
export const unknownEnvVarReason = (nearest: string | undefined): string =>
  `not a StreamGuard setting, so it changes nothing${nearest === undefined ? "" : `; did you mean ${nearest}?`}`

/**
 * A `STREAMGUARD_*` variable no setting reads, named.
 *
 * @since 0.1.0
 * @category config
 */
export const unknownEnvVar = (variable: { readonly name: string; readonly nearest?: string | undefined }): string =>
  `${variable.name} is ${unknownEnvVarReason(variable.nearest)}`

/**
 * Config values that cannot be used: `bad config <key> (<source>): <reason>`, one line per mistake.
 *
 * @since 0.1.0
 * @category config
 */
export const invalidConfig = (
  mistakes: ReadonlyArray<{ readonly key: string; readonly reason: string }>,
  source: string | undefined
): string => {
  const from = source === undefined ? "" : ` (${source})`
  return mistakes.map((mistake) => `bad config ${mistake.key}${from}: ${mistake.reason}`).join("\n")
}

/**
 * A config file that is no JSON: `invalid JSON: <the parser's words>`.
 *
 * @since 0.1.0
 * @category config
 */
export const invalidJson = (error: unknown): string =>
  `invalid JSON: ${error instanceof Error ? error.message : String(error)}`

/**
 * A key path as config files are read: `upstreams[0].dialect`, `profiles.chat.chunk`, `["a b"]`
 * for a key that is not an identifier.
 *
 * @since 0.1.0
 * @category config
 */
export const keyPath = (path: ReadonlyArray<PropertyKey>): string =>
  path.reduce<string>((out, key) => {
    if (typeof key === "number") return `${out}[${key}]`
    const name = String(key)
    if (!/^[A-Za-z_$][\w$-]*$/.test(name)) return `${out}[${JSON.stringify(name)}]`
    return out === "" ? name : `${out}.${name}`
  }, "")

/**
 * A profile neither built in nor defined in the config file.
 *
 * @since 0.1.0
 * @category config
 */
export const unknownProfile = (error: { readonly name: string; readonly known: ReadonlyArray<string> }): string =>
  `unknown request profile ${JSON.stringify(error.name)}; known profiles: ${error.known.join(", ")}`

// ---------------------------------------------------------------------------------------------
// The client
// ---------------------------------------------------------------------------------------------

/**
 * An upstream's HTTP error answer: `upstream answered HTTP 429 (rate_limit_exceeded): slow down`,
 * the provider's message when its body says one, else the start of the body.
 *
 * @since 0.1.0
 * @category client
 */
export const upstreamHttpError = (
  error: Pick<UpstreamHttpFailure, "status" | "bodyExcerpt" | "providerErrorType" | "providerMessage">
): string => {
  const type = error.providerErrorType === undefined ? "" : ` (${error.providerErrorType})`
  const said = error.providerMessage ?? error.bodyExcerpt.slice(0, 200)
  return `upstream answered HTTP ${error.status}${type}${said === "" ? "" : `: ${said}`}`
}

/**
 * A failed connection: `connection failed before the response: refused (ECONNREFUSED): ...`.
 *
 * @since 0.1.0
 * @category client
 */
export const transportError = (error: TransportFailure): string => {
  const when = error.stage === "request" ? "before the response" : "while the response streamed"
  return `connection failed ${when}: ${error.reason}${
    error.code === undefined ? "" : ` (${error.code})`
  }: ${error.detail}`
}
