/**
 * What happens to the upstream when the client disconnects mid-stream, picked per request by the
 * `x-streamguard-on-disconnect` header: `cancel` (the default) aborts it at once; `drain` keeps
 * reading it, forwarding nothing, for at most the drain window (so its final usage is counted),
 * then closes it.
 *
 * @since 0.1.0
 */
import type { Duration } from "effect"
import { Effect, Exit, Result, Scope } from "effect"
import * as ErrorResponse from "../api/ErrorResponse.js"

/**
 * @since 0.1.0
 * @category models
 */
export type DisconnectPolicy = "cancel" | "drain"

/**
 * The request header that picks the policy.
 *
 * @since 0.1.0
 * @category constants
 */
export const header = "x-streamguard-on-disconnect"

// Made once: every request parses its header.
const cancel = Result.succeed<DisconnectPolicy>("cancel")
const drain = Result.succeed<DisconnectPolicy>("drain")

/**
 * The policy a request's header value names, case and spaces aside; no header is `cancel`.
 * Any other value is a 400 naming the header.
 *
 * @since 0.1.0
 * @category parsing
 */
export const parse = (value: string | undefined): Result.Result<DisconnectPolicy, ErrorResponse.GatewayError> => {
  const policy = value?.trim().toLowerCase()
  if (policy === undefined || policy === "cancel") return cancel
  if (policy === "drain") return drain
  return Result.fail(ErrorResponse.badRequest(`${header} must be cancel or drain`, header))
}

/**
 * A scope for one request's upstream, to be closed when the request ends (by `release` when the
 * client left). Under `cancel` it is a child of the request's scope; under `drain` a child of the
 * gateway's, so the drain can outlive the request.
 *
 * @since 0.1.0
 * @category scopes
 */
export const upstreamScope = (
  policy: DisconnectPolicy,
  gatewayScope: Scope.Scope
): Effect.Effect<Scope.Closeable, never, Scope.Scope> =>
  policy === "drain"
    ? Scope.fork(gatewayScope, "sequential")
    : Effect.flatMap(Effect.scope, (parent) => Scope.fork(parent, "sequential"))

/**
 * What the client leaving does to the upstream. `cancel`, or an upstream that never opened (no
 * `pull`), closes its scope at once as interrupted. `drain` keeps pulling it, discarding what it
 * sends, until it ends or for at most `window`, in a fiber of `gatewayScope`, then closes it.
 *
 * @since 0.1.0
 * @category scopes
 */
export const release = (
  policy: DisconnectPolicy,
  options: {
    readonly upstream: Scope.Closeable
    /** Pulls the upstream; undefined when it never opened. */
    readonly pull: Effect.Effect<unknown, unknown> | undefined
    /** How the request ended. */
    readonly exit: Exit.Exit<unknown, unknown>
    readonly window: Duration.Duration
    readonly gatewayScope: Scope.Scope
  }
): Effect.Effect<void> => {
  const interrupted = Exit.isFailure(options.exit) ? options.exit : Exit.interrupt()
  if (policy === "cancel" || options.pull === undefined) return Scope.close(options.upstream, interrupted)
  const drained = Effect.forever(options.pull).pipe(
    Effect.ignore,
    Effect.timeout(options.window),
    Effect.ignore,
    Effect.ensuring(Scope.close(options.upstream, interrupted)),
    // Interruptible: forked from a finalizer, it would inherit uninterruptibility and the window
    // could not cut the wait short.
    Effect.interruptible
  )
  return Effect.asVoid(Effect.forkIn(drained, options.gatewayScope))
}
