/**
 * How the ai packages' tests cut one streamed answer into network reads, written once for every
 * Effect line: where each content delta's write lies in the answer, and the answer cut at chosen
 * places, each piece one read, then silence, as simulator steps any line's upstream plays.
 *
 * @since 0.1.0
 */
import * as Step from "@streamguard/kernel/simulator/Step"

/**
 * Where a write lies in the writes joined: from `start` up to `end`, exclusive.
 *
 * @since 0.1.0
 * @category models
 */
export interface Span {
  readonly start: number
  readonly end: number
}

/**
 * Where each write that `picked` chooses lies in the writes joined.
 *
 * @since 0.1.0
 * @category getters
 */
export const spans = (writes: ReadonlyArray<string>, picked: (write: string) => boolean): Array<Span> => {
  const found: Array<Span> = []
  let at = 0
  for (const write of writes) {
    if (picked(write)) found.push({ start: at, end: at + write.length })
    at += write.length
  }
  return found
}

/**
 * The middle of a span: a cut there splits its write in two.
 *
 * @since 0.1.0
 * @category getters
 */
export const middle = (span: Span): number => Math.floor((span.start + span.end) / 2)

/**
 * Cuts every `size` characters of a text of `length`, none at its end.
 *
 * @since 0.1.0
 * @category constructors
 */
export const every = (length: number, size: number): Array<number> =>
  Array.from({ length: Math.floor((length - 1) / size) }, (_, i) => (i + 1) * size)

/**
 * `text` cut at `cuts`, each piece one read, then silence for good.
 *
 * @since 0.1.0
 * @category constructors
 */
export const readsOf = (text: string, cuts: ReadonlyArray<number>): Array<Step.Step> => [
  ...[0, ...cuts].map((from, i) => Step.raw(text.slice(from, cuts[i] ?? text.length))),
  Step.stallForever
]
