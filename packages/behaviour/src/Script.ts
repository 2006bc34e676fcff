/**
 * What a scripted upstream does, as plain data every Effect line can play: content, reasoning,
 * keepalives and pauses in order, then one way to end. A line's driver plays a script as a stream
 * of its own `StreamEvent`s (under the guard) or through its in-memory upstream (under its
 * `LlmClient`), with every pause a sleep on its Effect `Clock`, so its `TestClock` moves it.
 *
 * @since 0.1.0
 */

/**
 * One step of a script.
 *
 * - `Content`: one content chunk carrying `text` (answer content: it ends `reasoning`'s phase).
 * - `Reasoning`: one content chunk that is reasoning only (a thinking delta) carrying `text`.
 * - `Keepalive`: a ping: proof of life, no content.
 * - `Wait`: nothing for `millis` milliseconds of the Effect `Clock`.
 * - `Done`: the upstream's done signal.
 * - `Error`: the upstream's in-band error event.
 * - `End`: the upstream ends without its done signal (a truncated answer).
 * - `Stall`: silence with the connection open, forever.
 *
 * A script that runs out of steps without `Done`, `Error`, `End` or `Stall` ends as with `End`.
 *
 * @since 0.1.0
 * @category models
 */
export type Step =
  | { readonly _tag: "Content"; readonly text: string }
  | { readonly _tag: "Reasoning"; readonly text: string }
  | { readonly _tag: "Keepalive" }
  | { readonly _tag: "Wait"; readonly millis: number }
  | { readonly _tag: "Done" }
  | { readonly _tag: "Error"; readonly errorType: string; readonly message: string }
  | { readonly _tag: "End" }
  | { readonly _tag: "Stall" }

/**
 * What the upstream answers a request with: a 200 response at once whose body plays `steps`, or
 * an HTTP error status after `afterMillis` (only under a client: a guard has no HTTP).
 *
 * @since 0.1.0
 * @category models
 */
export type Upstream =
  | { readonly _tag: "Answer"; readonly steps: ReadonlyArray<Step> }
  | { readonly _tag: "HttpError"; readonly status: number; readonly afterMillis: number }

/**
 * @since 0.1.0
 * @category constructors
 */
export const content = (text: string): Step => ({ _tag: "Content", text })

/**
 * @since 0.1.0
 * @category constructors
 */
export const reasoning = (text: string): Step => ({ _tag: "Reasoning", text })

/**
 * @since 0.1.0
 * @category constructors
 */
export const keepalive: Step = { _tag: "Keepalive" }

/**
 * @since 0.1.0
 * @category constructors
 */
export const wait = (millis: number): Step => ({ _tag: "Wait", millis })

/**
 * @since 0.1.0
 * @category constructors
 */
export const done: Step = { _tag: "Done" }

/**
 * @since 0.1.0
 * @category constructors
 */
export const error: Step = { _tag: "Error", errorType: "overloaded_error", message: "Overloaded" }

/**
 * @since 0.1.0
 * @category constructors
 */
export const end: Step = { _tag: "End" }

/**
 * @since 0.1.0
 * @category constructors
 */
export const stall: Step = { _tag: "Stall" }

/**
 * `count` steps, each after a pause of `every` milliseconds: `every(1000, 3, (i) => content(`c${i}`))`
 * sends `c0`, `c1`, `c2` at 1, 2 and 3 s from where it starts.
 *
 * @since 0.1.0
 * @category constructors
 */
export const every = (every: number, count: number, step: (i: number) => Step): Array<Step> =>
  Array.from({ length: count }, (_, i) => [wait(every), step(i)]).flat()

/**
 * A 200 answer playing `steps`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const answer = (...steps: ReadonlyArray<Step | ReadonlyArray<Step>>): Upstream => ({
  _tag: "Answer",
  steps: steps.flat()
})

/**
 * An HTTP error answer: `status` after `afterMillis`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const httpError = (status: number, afterMillis: number): Upstream => ({ _tag: "HttpError", status, afterMillis })
