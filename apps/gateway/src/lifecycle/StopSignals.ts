/**
 * The stop signals of a gateway that is its process's main program (`npm start`, the image):
 * once it drains, SIGTERM and SIGINT are logged and ignored, never fatal.
 *
 * @since 0.1.0
 */
import { Effect, Layer } from "effect"
import { Lifecycle } from "./Lifecycle.js"

/**
 * The signals that stop the gateway.
 *
 * @since 0.1.0
 * @category constants
 */
export const signals: ReadonlyArray<NodeJS.Signals> = ["SIGTERM", "SIGINT"]

const report = (lifecycle: Lifecycle["Service"], signal: NodeJS.Signals) =>
  Effect.gen(function*() {
    const left = yield* lifecycle.inFlight
    yield* Effect.logWarning(`${signal}: already draining, ${left} ${left === 1 ? "stream" : "streams"} left`).pipe(
      Effect.annotateLogs({ signal, inFlight: left })
    )
  })

/**
 * For the life of the layer SIGTERM and SIGINT have a listener, so Node never applies its default
 * action to them (end the process at once). The first one is the runtime's: `NodeRuntime.runMain`
 * interrupts the main fiber, whose finalizers drain (this layer's listener runs before the
 * runtime's, and leaves that signal to it). `runMain` then stops listening, so without
 * this layer the next signal would end the process mid-drain; here each one that comes once the
 * drain began is logged (`already draining, N streams left`) and ignored. A signal to a process
 * group (Ctrl-C in a terminal, a service manager's stop) can reach node more than once, relayed by
 * the processes above it. The drain timeout, or SIGKILL, ends a drain early.
 *
 * Build it under the layer that drains, so it is released after the drain finished.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer: Layer.Layer<never, never, Lifecycle> = Layer.effectDiscard(Effect.gen(function*() {
  const lifecycle = yield* Lifecycle
  const runFork = Effect.runForkWith(yield* Effect.context<never>())
  const onSignal = (signal: NodeJS.Signals) => {
    // Still accepting: this is the signal that stops the gateway, and the drain logs its own start.
    // Read as the signal comes, before the runtime's listener (after this one: prepended) interrupts
    // the main fiber, whose drain stops accepting at once.
    if (Effect.runSync(lifecycle.accepting)) return
    runFork(report(lifecycle, signal))
  }
  yield* Effect.acquireRelease(
    Effect.sync(() => {
      for (const signal of signals) process.prependListener(signal, onSignal)
    }),
    () =>
      Effect.sync(() => {
        for (const signal of signals) process.off(signal, onSignal)
      })
  )
}))
