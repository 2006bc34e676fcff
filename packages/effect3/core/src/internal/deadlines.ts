/**
 * One deadline scheduler per `Clock`: an indexed min-heap of timed entries and one fiber that
 * sleeps on the Clock until the earliest of them. However many streams are guarded, there is one
 * timer, and nothing to do per chunk: an entry's deadline only moves later as content arrives, and
 * the heap learns it lazily, when a stale deadline comes up and the entry reports its next one.
 *
 * Why by hand: Effect's timers (`Effect.sleep`, `Stream.timeoutFail`) cost a fiber race and a timer
 * per pull and per stream; a heap of plain objects with one sleeping fiber is what keeps an idle
 * stream close to a bare socket. It sleeps through `Clock.sleep` of the Clock it serves, so
 * `TestClock.adjust` drives it like any other sleep.
 *
 * @internal
 */
import type * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import type * as Fiber from "effect/Fiber"
import * as FiberId from "effect/FiberId"

/**
 * Something with deadlines: a guarded stream.
 *
 * @internal
 */
export interface Timed {
  /** Where it is in the heap, -1 when it is not in it. Owned by the scheduler. */
  heapIndex: number
  /** When the scheduler will next look at it. Owned by the scheduler. */
  heapAt: number
  /**
   * Called at or after `heapAt`: acts on what is due at `now` (decides a timeout) and returns the
   * next moment to be looked at, or `undefined` for none.
   */
  readonly due: (now: number) => number | undefined
}

/** @internal */
export class Deadlines {
  private readonly heap: Array<Timed> = []
  /** When the sleeping fiber wakes; `Infinity` when none sleeps. */
  private wakeAt = Infinity
  private fiber: Fiber.RuntimeFiber<void> | undefined = undefined
  /** Counts the fibers started, so a replaced one knows it is no longer the scheduler. */
  private generation = 0
  private running = false

  constructor(readonly clock: Clock.Clock) {}

  get size(): number {
    return this.heap.length
  }

  /** Makes sure `entry` is looked at no later than `at`. Moving a deadline later is free. */
  schedule(entry: Timed, at: number): void {
    if (entry.heapIndex >= 0) {
      if (at >= entry.heapAt) return
      entry.heapAt = at
      this.up(entry.heapIndex)
    } else {
      entry.heapAt = at
      entry.heapIndex = this.heap.length
      this.heap.push(entry)
      this.up(entry.heapIndex)
    }
    if (at < this.wakeAt && !this.running) this.arm()
  }

  /**
   * Moves `entry` to be looked at exactly at `at`, later or earlier (or forgets it, for none): for
   * a deadline known to have moved for good, such as a phase's once the response has started.
   */
  move(entry: Timed, at: number | undefined): void {
    if (at === undefined) return this.remove(entry)
    if (entry.heapIndex < 0 || at < entry.heapAt) return this.schedule(entry, at)
    entry.heapAt = at
    this.down(entry.heapIndex)
  }

  /**
   * Forgets `entry` (its stream ended). The sleeping fiber, if any, wakes at its time and finds
   * less to do; once nothing is left it stops at once, so a process with no guarded stream holds
   * no timer (a command-line tool exits when its last stream ends, not when a deadline would have).
   */
  remove(entry: Timed): void {
    const index = entry.heapIndex
    if (index < 0) return
    const last = this.heap.pop()!
    entry.heapIndex = -1
    if (index < this.heap.length) {
      this.heap[index] = last
      last.heapIndex = index
      this.down(index)
      this.up(last.heapIndex)
    }
    if (this.heap.length === 0 && !this.running) this.disarm()
  }

  /** Whether a fiber sleeps for the next deadline. */
  get armed(): boolean {
    return this.fiber !== undefined
  }

  /** Starts a fiber that sleeps until the earliest deadline, replacing one that sleeps longer. */
  private arm(): void {
    const previous = this.fiber
    const generation = ++this.generation
    this.wakeAt = this.heap[0]!.heapAt
    this.fiber = Effect.runFork(this.loop(generation))
    previous?.unsafeInterruptAsFork(FiberId.none)
  }

  /** Stops the sleeping fiber: nothing is left to wait for. */
  private disarm(): void {
    const fiber = this.fiber
    if (fiber === undefined) return
    this.generation++
    this.fiber = undefined
    this.wakeAt = Infinity
    fiber.unsafeInterruptAsFork(FiberId.none)
  }

  private loop(generation: number): Effect.Effect<void> {
    return Effect.suspend(() => {
      if (generation !== this.generation) return Effect.void
      const now = this.clock.unsafeCurrentTimeMillis()
      this.runDue(now)
      const next = this.heap[0]
      if (next === undefined) {
        this.wakeAt = Infinity
        this.fiber = undefined
        return Effect.void
      }
      this.wakeAt = next.heapAt
      return Effect.zipRight(this.clock.sleep(Duration.millis(next.heapAt - now)), this.loop(generation))
    })
  }

  private runDue(now: number): void {
    this.running = true
    try {
      let top = this.heap[0]
      while (top !== undefined && top.heapAt <= now) {
        const next = top.due(now)
        // `due` may have removed it (its stream closed) or rescheduled it.
        if (top.heapIndex === 0) {
          if (next === undefined) this.remove(top)
          else {
            top.heapAt = next
            this.down(0)
          }
        }
        top = this.heap[0]
      }
    } finally {
      this.running = false
    }
  }

  private up(index: number): void {
    const heap = this.heap
    const entry = heap[index]!
    while (index > 0) {
      const parentIndex = (index - 1) >> 1
      const parent = heap[parentIndex]!
      if (parent.heapAt <= entry.heapAt) break
      heap[index] = parent
      parent.heapIndex = index
      index = parentIndex
    }
    heap[index] = entry
    entry.heapIndex = index
  }

  private down(index: number): void {
    const heap = this.heap
    const length = heap.length
    const entry = heap[index]!
    while (true) {
      const left = 2 * index + 1
      if (left >= length) break
      const right = left + 1
      const child = right < length && heap[right]!.heapAt < heap[left]!.heapAt ? right : left
      if (heap[child]!.heapAt >= entry.heapAt) break
      heap[index] = heap[child]!
      heap[index]!.heapIndex = index
      index = child
    }
    heap[index] = entry
    entry.heapIndex = index
  }
}

const byClock = new WeakMap<Clock.Clock, Deadlines>()

/**
 * The scheduler of `clock`, made on first use.
 *
 * @internal
 */
export const forClock = (clock: Clock.Clock): Deadlines => {
  let deadlines = byClock.get(clock)
  if (deadlines === undefined) {
    deadlines = new Deadlines(clock)
    byClock.set(clock, deadlines)
  }
  return deadlines
}
