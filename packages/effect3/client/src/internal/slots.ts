/**
 * Connection slots per origin, when the client limits its connections: a request waits here (the
 * `pool` phase) until a slot is free, and gives the slot back when its stream closes.
 *
 * Why not Effect's `Semaphore`: the slot is given back from a stream's close path, a plain callback
 * that may run outside any fiber; this counter hands a slot to the next waiter synchronously.
 *
 * @internal
 */
import * as Effect from "effect/Effect"

/** @internal */
export class Slots {
  private free: number
  private readonly waiters: Array<() => void> = []

  constructor(size: number) {
    this.free = size
  }

  /** Waits for a slot (interruptible) and yields the function that gives it back, once. */
  readonly take: Effect.Effect<() => void> = Effect.async((resume) => {
    if (this.free > 0) {
      this.free--
      return resume(Effect.succeed(this.releaser()))
    }
    const waiter = () => resume(Effect.succeed(this.releaser()))
    this.waiters.push(waiter)
    return Effect.sync(() => {
      const index = this.waiters.indexOf(waiter)
      if (index >= 0) this.waiters.splice(index, 1)
    })
  })

  private releaser(): () => void {
    let released = false
    return () => {
      if (released) return
      released = true
      const next = this.waiters.shift()
      if (next === undefined) this.free++
      else next()
    }
  }
}

/**
 * The slots of every origin, made on first use; none when the client sets no limit.
 *
 * @internal
 */
export const byOrigin = (size: number | undefined): (origin: string) => Slots | undefined => {
  if (size === undefined) return () => undefined
  const slots = new Map<string, Slots>()
  return (origin) => {
    let forOrigin = slots.get(origin)
    if (forOrigin === undefined) {
      forOrigin = new Slots(size)
      slots.set(origin, forOrigin)
    }
    return forOrigin
  }
}
