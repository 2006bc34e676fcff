/**
 * The verdict of the testing packages' `TimeTravel` assertions, in their words: whether an effect
 * run under a test clock ended as expected at exactly the expected millisecond, and if not, what
 * was expected and what happened. Each line runs the effect on its own `TestClock`.
 *
 * @since 0.1.0
 */

/**
 * How a run under the test clock ended, as the verdict reads it.
 *
 * @since 0.1.0
 * @category models
 */
export interface Ended {
  /** Milliseconds from the start of the run to its end. */
  readonly atMillis: number
  /** How it ended, in words: `succeeded`, `failed with ChunkTimeout`, `was interrupted`, `died: ...`. */
  readonly how: string
  /** Whether that is the end expected. */
  readonly matched: boolean
}

/**
 * What did not hold: the expectation and what happened instead.
 *
 * @since 0.1.0
 * @category models
 */
export interface Mismatch {
  readonly expected: string
  readonly actual: string
}

/**
 * How a failure reads in a verdict: `failed with <its _tag>`, or with the value itself.
 *
 * @since 0.1.0
 * @category formatting
 */
export const failedWith = (error: unknown): string =>
  typeof error === "object" && error !== null && "_tag" in error ?
    `failed with ${String(error._tag)}` :
    `failed with ${String(error)}`

/**
 * The verdict on a run expected to have ended in the way `what` names (`succeeded`, `failed with
 * ChunkTimeout`) exactly `atMillis` after it began: `undefined` when it did, else the mismatch
 * (`ended` is `undefined` when the run was still going at `atMillis`).
 *
 * @since 0.1.0
 * @category constructors
 */
export const verdict = (what: string, atMillis: number, ended: Ended | undefined): Mismatch | undefined => {
  const expected = `to have ${what} at ${atMillis} ms`
  if (ended === undefined) return { expected, actual: `it was still running at ${atMillis} ms` }
  if (!ended.matched || ended.atMillis !== atMillis) {
    return { expected, actual: `it ${ended.how} at ${ended.atMillis} ms` }
  }
  return undefined
}
