/**
 * The gateway's life: readiness, the streams in flight, and the graceful shutdown (stop accepting
 * requests: `/readyz` and new requests answer 503; let streams finish up to `drainTimeout`, then
 * end the rest with the error event).
 *
 * @since 0.1.0
 */
import type { Scope } from "effect"
import { Clock, Context, Duration, Effect, Layer, Metric, Option, Ref, Stream, SubscriptionRef } from "effect"
import { setMaxListeners } from "node:events"
import { GatewayConfig } from "../config/Config.js"

/**
 * Requests in flight right now: streams being relayed and non-streamed calls being answered
 * (those a graceful shutdown waits for). Back to 0 once every request ended, whichever way.
 *
 * @since 0.1.0
 * @category metrics
 */
export const inFlightGauge = Metric.gauge("streamguard_gateway_streams_in_flight", {
  description: "requests in flight: streams being relayed and non-streamed calls being answered"
})

/**
 * @since 0.1.0
 * @category services
 */
export class Lifecycle extends Context.Service<Lifecycle>()("gateway/Lifecycle", {
  make: Effect.gen(function*() {
    const config = yield* GatewayConfig
    /** Upstream readers are forked here, not in the request's fiber, so `drain` can outlive it. */
    const scope = yield* Effect.scope
    const accepting = yield* Ref.make(true)
    const inFlight = yield* SubscriptionRef.make(0)
    /**
     * Every stream is given this signal; it is aborted when the drain timeout expired, and the
     * streams still open end with the shutdown error event. One listener per open stream.
     */
    const stopping = new AbortController()
    const stopSignal: AbortSignal = stopping.signal
    setMaxListeners(0, stopSignal)
    /** When the shutdown began, in clock millis: what the live view counts `drainTimeout` from. */
    let shutdownAt: number | undefined

    // Interruptible: shutdown runs in a finalizer, which is uninterruptible, and the timeouts
    // below must be able to stop waiting.
    const untilIdle = SubscriptionRef.changes(inFlight).pipe(
      Stream.takeUntil((n) => n === 0),
      Stream.runDrain,
      Effect.interruptible
    )

    const add = (delta: number) =>
      Effect.flatMap(SubscriptionRef.updateAndGet(inFlight, (n) => n + delta), (n) => Metric.update(inFlightGauge, n))

    /**
     * Marks one stream in flight for the life of the scope (and in the `streams_in_flight` gauge).
     */
    const track: Effect.Effect<void, never, Scope.Scope> = Effect.acquireRelease(add(1), () => add(-1))

    /**
     * Stops accepting, waits for streams in flight up to `drainTimeout`, then tells the rest to
     * end and gives them a moment to write their error event.
     */
    const shutdown = Effect.gen(function*() {
      if (!(yield* Ref.getAndSet(accepting, false))) return
      shutdownAt = yield* Clock.currentTimeMillis
      const open = yield* SubscriptionRef.get(inFlight)
      yield* Effect.logInfo("shutting down: draining streams in flight").pipe(
        Effect.annotateLogs({ inFlight: open, drainTimeoutMs: Duration.toMillis(config.drainTimeout) })
      )
      const drained = yield* Effect.timeoutOption(untilIdle, config.drainTimeout)
      if (Option.isNone(drained)) {
        stopping.abort("the gateway is shutting down")
        yield* Effect.timeoutOption(untilIdle, Duration.millis(250))
      }
    })

    return {
      scope,
      accepting: Ref.get(accepting),
      /** Streams (and non-streamed calls) in flight now. */
      inFlight: SubscriptionRef.get(inFlight),
      track,
      /** When the shutdown began (clock millis); none while the gateway accepts requests. */
      shutdownAt: Effect.sync(() => shutdownAt),
      stopSignal,
      shutdown
    } as const
  })
}) {
  /**
   * The lifecycle, open for the layer's scope (the readers forked into it end with it).
   *
   * @since 0.1.0
   */
  static readonly layer: Layer.Layer<Lifecycle, never, GatewayConfig> = Layer.effect(Lifecycle, Lifecycle.make)
}
