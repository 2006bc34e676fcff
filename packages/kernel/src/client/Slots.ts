/**
 * Connection slots per origin, when a client limits its connections: a request waits for a slot
 * (the `pool` phase) and gives it back when its stream closes.
 *
 * Why a counter of its own rather than a line's semaphore: the slot is given back from a stream's
 * close path, a plain callback that may run outside any fiber, and the next waiter gets it
 * synchronously.
 *
 * @since 0.1.0
 */

/**
 * The slots of one origin.
 *
 * @since 0.1.0
 * @category models
 */
export class Slots {
  private free: number
  private readonly waiters: Array<(release: () => void) => void> = []

  constructor(size: number) {
    this.free = size
  }

  /**
   * Takes a slot: `got` is called with the function that gives it back (once), at once when a slot
   * is free, else when one is given back. Returns how to stop waiting, or `undefined` when `got`
   * already ran.
   */
  take(got: (release: () => void) => void): (() => void) | undefined {
    if (this.free > 0) {
      this.free--
      got(this.releaser())
      return undefined
    }
    this.waiters.push(got)
    return () => {
      const index = this.waiters.indexOf(got)
      if (index >= 0) this.waiters.splice(index, 1)
    }
  }

  private releaser(): () => void {
    let released = false
    return () => {
      if (released) return
      released = true
      const next = this.waiters.shift()
      if (next === undefined) this.free++
      else next(this.releaser())
    }
  }
}

/**
 * The origin of a request's URL, which its slots are counted by (the URL itself when it does not
 * parse).
 *
 * @since 0.1.0
 * @category getters
 */
export const originOf = (url: string): string => URL.canParse(url) ? new URL(url).origin : url

/**
 * The slots of every origin, made on first use, found by a request's URL; none when the client
 * sets no limit (then no URL is parsed for its origin either: that would cost every request).
 *
 * @since 0.1.0
 * @category constructors
 */
export const byOrigin = (size: number | undefined): (url: string) => Slots | undefined => {
  if (size === undefined) return () => undefined
  const slots = new Map<string, Slots>()
  return (url) => {
    const origin = originOf(url)
    let forOrigin = slots.get(origin)
    if (forOrigin === undefined) {
      forOrigin = new Slots(size)
      slots.set(origin, forOrigin)
    }
    return forOrigin
  }
}
