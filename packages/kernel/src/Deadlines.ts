/**
 * One deadline scheduler per clock: an indexed min-heap of timed entries and one sleep on the
 * clock until the earliest of them. However many streams are guarded, there is one timer, and
 * nothing to do per chunk: an entry's deadline only moves later as content arrives, and the heap
 * learns it lazily, when a stale deadline comes up and the entry reports its next one.
 *
 * Why by hand: a timer per stream, or an Effect timeout per pull, costs a timer and a fiber race
 * per pull and per stream; a heap of plain objects with one sleep is what keeps an idle stream
 * close to a bare socket. No library keeps an indexed heap of mutable deadlines with lazy updates
 * in this shape, and the whole is a hundred lines.
 *
 * The sleep is the clock's `sleepLast`: the scheduler looks at what is due at an instant once
 * everything else due then has run, so an event at exactly a deadline is in time (and a decision
 * never depends on which of two things due at one instant the clock happened to wake first).
 *
 * @since 0.1.0
 */
import type { Clock } from "./Clock.js"

/**
 * Something with deadlines: a guarded stream.
 *
 * @since 0.1.0
 * @category models
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

/**
 * The scheduler of one clock.
 *
 * @since 0.1.0
 * @category models
 */
export class Deadlines {
  private readonly heap: Array<Timed> = []
  /** When the sleep wakes; `Infinity` when none sleeps. */
  private wakeAt = Infinity
  private cancel: (() => void) | undefined = undefined
  /** Counts the sleeps started, so a replaced one knows it is no longer the scheduler's. */
  private generation = 0
  private passing = false
  /** What the due entries asked to run once every due entry has acted (see `afterDue`). */
  private woken: Array<() => void> = []

  constructor(readonly clock: Clock) {}

  /** How many entries the heap holds. */
  get size(): number {
    return this.heap.length
  }

  /** Whether a pass over the due entries runs now (`afterDue` then defers). */
  get running(): boolean {
    return this.passing
  }

  /** Whether a sleep is armed for the next deadline. */
  get armed(): boolean {
    return this.cancel !== undefined
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
    if (at < this.wakeAt && !this.passing) this.arm()
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
   * Forgets `entry` (its stream ended). The sleep, if any, wakes at its time and finds less to do;
   * once nothing is left it is cancelled at once, so a process with no guarded stream holds no
   * timer (a command-line tool exits when its last stream ends, not when a deadline would have).
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
    if (this.heap.length === 0 && !this.passing) this.disarm()
  }

  /**
   * Runs `f` once every entry due now has acted, or at once outside a pass. A stream wakes its
   * consumer through it: every due decision closes its transport first (the upstream sees the
   * close before the consumer hears of it), and a consumer that runs at once when resumed cannot
   * delay the next stream's decision.
   */
  afterDue(f: () => void): void {
    if (this.passing) this.woken.push(f)
    else f()
  }

  /** Sleeps until the earliest deadline, replacing a sleep that wakes later. */
  private arm(): void {
    const previous = this.cancel
    const generation = ++this.generation
    this.wakeAt = this.heap[0]!.heapAt
    this.cancel = this.clock.sleepLast(this.wakeAt - this.clock.now(), () => this.wake(generation))
    previous?.()
  }

  /** Cancels the sleep: nothing is left to wait for. */
  private disarm(): void {
    const cancel = this.cancel
    if (cancel === undefined) return
    this.generation++
    this.cancel = undefined
    this.wakeAt = Infinity
    cancel()
  }

  private wake(generation: number): void {
    if (generation !== this.generation) return
    const now = this.clock.now()
    this.runDue(now)
    const next = this.heap[0]
    if (next === undefined) {
      this.wakeAt = Infinity
      this.cancel = undefined
    } else {
      this.wakeAt = next.heapAt
      this.cancel = this.clock.sleepLast(next.heapAt - now, () => this.wake(generation))
    }
    // Last, on a scheduler at rest: what runs here may remove entries or schedule new ones.
    const woken = this.woken
    if (woken.length > 0) {
      this.woken = []
      for (const f of woken) f()
    }
  }

  private runDue(now: number): void {
    this.passing = true
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
      this.passing = false
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

const byClock = new WeakMap<Clock, Deadlines>()

/**
 * The scheduler of `clock`, made on first use: every stream on one clock shares it.
 *
 * @since 0.1.0
 * @category constructors
 */
export const forClock = (clock: Clock): Deadlines => {
  let deadlines = byClock.get(clock)
  if (deadlines === undefined) {
    deadlines = new Deadlines(clock)
    byClock.set(clock, deadlines)
  }
  return deadlines
}
