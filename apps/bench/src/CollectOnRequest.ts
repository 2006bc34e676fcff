/**
 * The server side of `NodeProcess.collectIn`: a server process whose memory is measured (started with
 * `--expose-gc`) runs full collections when its parent asks (`{ _tag: "Collect" }`) and answers
 * with its `heapUsed` after them (`{ _tag: "Collected", heapUsedBytes }`), so memory readings
 * taken from outside compare live data, as the workers' own readings do.
 *
 * @since 0.1.0
 */

/**
 * Answers `Collect` messages on the IPC channel; does nothing without `--expose-gc`.
 *
 * @since 0.1.0
 * @category measurement
 */
export const install = (): void => {
  const gc = (globalThis as { gc?: () => void }).gc
  if (gc === undefined) return
  process.on("message", (message: { readonly _tag?: string }) => {
    if (message._tag !== "Collect") return
    // Three passes with pauses between, as the workers' `Stats.collect`: weak references and
    // finalization callbacks are cleared between passes.
    let passes = 0
    const pass = () => {
      gc()
      if (++passes < 3) setTimeout(pass, 20)
      else process.send?.({ _tag: "Collected", heapUsedBytes: process.memoryUsage().heapUsed })
    }
    pass()
  })
}
