/**
 * A wait of any length on a kernel `Clock`: `Infinity` never wakes, and a wait longer than one
 * Node timer holds is made of several, since `Clock.system` wakes such a sleep early.
 */
import type { Clock } from "../../Clock.js"

/** The longest sleep asked of a clock at once (Node's timers hold no more). */
const longest = 2 ** 31 - 1

/** Calls `wake` once, `millis` from now on `clock` (never for `Infinity`); returns what cancels it. */
export const sleep = (clock: Clock, millis: number, wake: () => void): () => void => {
  if (millis === Infinity) return () => {}
  let cancel: () => void
  const arm = (left: number): void => {
    cancel = left > longest ? clock.sleep(longest, () => arm(left - longest)) : clock.sleep(left, wake)
  }
  arm(millis)
  return () => cancel()
}
