import { Deadlines } from "@streamguard/kernel"
import type { Deadlines as Scheduler } from "@streamguard/kernel/Deadlines"
import { assert, describe, it } from "vitest"
import { FakeClock } from "./fixtures/FakeClock.js"

/** An entry that records when it was looked at and answers with the next deadlines it is given. */
const entry = (clock: FakeClock, next: Array<number | undefined> = []) => {
  const seen: Array<number> = []
  const timed = {
    heapIndex: -1,
    heapAt: Infinity,
    seen,
    due: (now: number) => {
      assert.strictEqual(now, clock.time, "looked at with the clock's time")
      seen.push(now)
      return next.shift()
    }
  }
  return timed
}

const setup = () => {
  const clock = new FakeClock()
  return { clock, deadlines: new Deadlines.Deadlines(clock) as Scheduler }
}

describe("Deadlines", () => {
  it("looks at each entry at exactly its deadline, with one sleep for the earliest", () => {
    const { clock, deadlines } = setup()
    const late = entry(clock)
    const early = entry(clock)
    deadlines.schedule(late, 300)
    deadlines.schedule(early, 100)
    assert.strictEqual(clock.sleeps.size, 1, "one sleep, for the earliest")
    clock.advance(99)
    assert.deepStrictEqual([early.seen, late.seen], [[], []])
    clock.advance(1)
    assert.deepStrictEqual(early.seen, [100])
    clock.advance(200)
    assert.deepStrictEqual(late.seen, [300])
    assert.strictEqual(deadlines.size, 0)
    assert.isFalse(deadlines.armed)
    assert.strictEqual(clock.sleeps.size, 0)
  })

  it("an entry's next deadline keeps it in the heap; none takes it out", () => {
    const { clock, deadlines } = setup()
    const stream = entry(clock, [250, 400, undefined])
    deadlines.schedule(stream, 100)
    clock.advance(1_000)
    assert.deepStrictEqual(stream.seen, [100, 250, 400])
    assert.strictEqual(deadlines.size, 0)
  })

  it("moving a deadline later costs no new sleep; moving it earlier replaces the sleep", () => {
    const { clock, deadlines } = setup()
    const stream = entry(clock)
    deadlines.schedule(stream, 100)
    deadlines.schedule(stream, 500)
    assert.strictEqual(clock.started, 1)
    assert.strictEqual(stream.heapAt, 100, "schedule never moves a deadline later")
    deadlines.schedule(stream, 50)
    assert.strictEqual(clock.started, 2)
    assert.strictEqual(clock.cancelled, 1, "the later sleep is cancelled")
    deadlines.move(stream, 400)
    clock.advance(399)
    assert.deepStrictEqual(stream.seen, [], "move sets the deadline exactly, later too")
    clock.advance(1)
    assert.deepStrictEqual(stream.seen, [400])
  })

  it("removing the last entry cancels the sleep: no timer is left", () => {
    const { clock, deadlines } = setup()
    const a = entry(clock)
    const b = entry(clock)
    deadlines.schedule(a, 100)
    deadlines.schedule(b, 200)
    deadlines.remove(a)
    assert.isTrue(deadlines.armed)
    deadlines.remove(b)
    assert.isFalse(deadlines.armed)
    assert.strictEqual(clock.sleeps.size, 0)
    clock.advance(1_000)
    assert.deepStrictEqual([a.seen, b.seen], [[], []])
  })

  it("afterDue runs once every due entry has acted, in order, on a scheduler at rest; at once outside a pass", () => {
    const { clock, deadlines } = setup()
    const order: Array<string> = []
    const later = entry(clock)
    const make = (name: string) => ({
      heapIndex: -1,
      heapAt: Infinity,
      due: () => {
        order.push(`decide ${name}`)
        deadlines.afterDue(() => {
          order.push(`wake ${name}`)
          // What a woken consumer may do: let go of another entry.
          deadlines.remove(later)
        })
        return undefined
      }
    })
    deadlines.schedule(make("a"), 100)
    deadlines.schedule(make("b"), 100)
    deadlines.schedule(later, 900)
    clock.advance(100)
    assert.deepStrictEqual(order, ["decide a", "decide b", "wake a", "wake b"])
    assert.isFalse(deadlines.armed, "the woken consumer removed the last entry: its sleep is cancelled")
    deadlines.afterDue(() => order.push("now"))
    assert.strictEqual(order.at(-1), "now")
  })

  it("1,000 entries each come due at their own millisecond in one advance", () => {
    const { clock, deadlines } = setup()
    const entries = Array.from({ length: 1_000 }, (_, i) => {
      const at = 1_000 + ((i * 7_919) % 1_000)
      const timed = entry(clock)
      deadlines.schedule(timed, at)
      return { at, timed }
    })
    clock.advance(5_000)
    for (const { at, timed } of entries) assert.deepStrictEqual(timed.seen, [at])
    assert.strictEqual(deadlines.size, 0)
    assert.isFalse(deadlines.armed)
  })

  it("forClock: one scheduler per clock", () => {
    const clock = new FakeClock()
    assert.strictEqual(Deadlines.forClock(clock), Deadlines.forClock(clock))
    assert.notStrictEqual(Deadlines.forClock(clock), Deadlines.forClock(new FakeClock()))
  })
})
