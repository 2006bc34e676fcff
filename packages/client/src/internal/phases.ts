/**
 * Seeing the phases of one request inside undici: when it got a connection and began to be
 * written (`connect` done), and when its body was fully handed to the socket (`write` done).
 *
 * Why an interceptor: undici's `request()` only settles when the response headers arrive, so from
 * outside the three phases before that are one opaque wait. undici calls `onConnect` on the
 * request's handler when a connected socket starts writing it, and `onRequestSent` once the body
 * is written; an interceptor (`dispatcher.compose`, undici's own extension point) wraps the
 * handler to hear both. The platform's undici client copies its `UndiciRequestOptions` into the
 * options given to `dispatch`, which is how one request's `Phases` reaches the interceptor without
 * any global registry.
 *
 * @internal
 */
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import type { Dispatcher } from "undici"

/** The key under which a request's `Phases` rides in undici's dispatch options. */
export const phasesKey = "streamguardPhases"

/** @internal */
export class Phases {
  constructor(
    readonly connected: Deferred.Deferred<void>,
    readonly sent: Deferred.Deferred<void>
  ) {}
  connect(): void {
    Deferred.unsafeDone(this.connected, Exit.void)
  }
  send(): void {
    Deferred.unsafeDone(this.sent, Exit.void)
  }
  /** For a transport that cannot tell the phases apart: both count as done at once. */
  unobserved(): void {
    this.connect()
    this.send()
  }
}

/** @internal */
export const makePhases: Effect.Effect<Phases> = Effect.zipWith(
  Deferred.make<void>(),
  Deferred.make<void>(),
  (connected, sent) => new Phases(connected, sent)
)

/** The handler methods of undici's classic handler interface, `onRequestSent` included. */
interface ClassicHandler {
  readonly onConnect?: (abort: (err?: Error) => void, context?: object) => void
  readonly onHeaders?: (statusCode: number, headers: Array<Buffer>, resume: () => void, statusText: string) => boolean
  readonly onData?: (chunk: Buffer) => boolean
  readonly onComplete?: (trailers: Array<string> | null) => void
  readonly onError?: (err: Error) => void
  readonly onUpgrade?: (statusCode: number, headers: Array<Buffer> | Array<string> | null, socket: unknown) => void
  readonly onResponseStarted?: () => void
  readonly onBodySent?: (chunk: unknown) => void
  readonly onRequestSent?: () => void
}

/**
 * The interceptor. Requests without `Phases` pass untouched. The wrapper speaks undici's classic
 * handler interface on purpose: undici's adapter for the newer interface (`onRequestStart`) does
 * not forward `onRequestSent`, and `compose` hands interceptors a handler that speaks both.
 *
 * @internal
 */
export const observePhases: Dispatcher.DispatcherComposeInterceptor = (dispatch) => (options, handler) => {
  const phases = (options as unknown as Record<string, unknown>)[phasesKey]
  if (!(phases instanceof Phases)) return dispatch(options, handler)
  const inner = handler as unknown as ClassicHandler
  if (inner.onConnect === undefined || inner.onHeaders === undefined) {
    phases.unobserved()
    return dispatch(options, handler)
  }
  const wrapped: ClassicHandler = {
    onConnect: (abort, context) => {
      phases.connect()
      return inner.onConnect!(abort, context)
    },
    onRequestSent: () => {
      phases.send()
      return inner.onRequestSent?.()
    },
    onBodySent: (chunk) => inner.onBodySent?.(chunk),
    onResponseStarted: () => inner.onResponseStarted?.(),
    onHeaders: (statusCode, headers, resume, statusText) => {
      // Headers can come before the body is fully sent (an early error answer): writing is over.
      phases.send()
      return inner.onHeaders!(statusCode, headers, resume, statusText)
    },
    onData: (chunk) => inner.onData!(chunk),
    onComplete: (trailers) => inner.onComplete!(trailers),
    onError: (err) => inner.onError!(err),
    onUpgrade: (statusCode, headers, socket) => inner.onUpgrade!(statusCode, headers, socket)
  }
  return dispatch(options, wrapped as Dispatcher.DispatchHandler)
}
