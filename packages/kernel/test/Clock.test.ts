import { Clock } from "@streamguard/kernel"
import { afterEach, assert, beforeEach, describe, it, vi } from "vitest"

describe("Clock.system", () => {
  it("wakes once after the delay on Node's timers, and never once cancelled", async () => {
    const started = Clock.system.now()
    let cancelledFired = false
    const cancel = Clock.system.sleep(5, () => (cancelledFired = true))
    cancel()
    // Node fires timers in the order of their due time: by the later one, the cancelled one would have.
    const woken = await new Promise<number>((resolve) => Clock.system.sleep(20, () => resolve(Clock.system.now())))
    assert.isAtLeast(woken - started, 19)
    assert.isFalse(cancelledFired)
  })

  describe("sleepLast, on timers and a Date faked together", () => {
    beforeEach(() => {
      vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "Date"], now: 1_000_000 })
    })
    afterEach(() => {
      vi.useRealTimers()
    })

    it("wakes once the time read is past the instant, not at it, so what arrives at it is in time", () => {
      let woken = 0
      Clock.system.sleepLast(20, () => woken++)
      vi.advanceTimersByTime(20)
      assert.strictEqual(woken, 0, "at the instant")
      vi.advanceTimersByTime(1)
      assert.strictEqual(woken, 1, "a millisecond past it")
      vi.advanceTimersByTime(1_000)
      assert.strictEqual(woken, 1, "once")
    })

    it("sleeps one more when the time read lags the timer's own clock, and stays cancellable then", () => {
      let woken = 0
      Clock.system.sleepLast(20, () => woken++)
      // The time read a millisecond behind the timers: the timer fires with the instant not over.
      vi.setSystemTime(Date.now() - 1)
      vi.advanceTimersByTime(21)
      assert.strictEqual(woken, 0, "the timer fired at the instant as the time reads it")
      vi.advanceTimersByTime(1)
      assert.strictEqual(woken, 1, "the re-armed timer, past it")

      let cancelledFired = false
      const cancel = Clock.system.sleepLast(20, () => (cancelledFired = true))
      vi.setSystemTime(Date.now() - 1)
      vi.advanceTimersByTime(21)
      assert.strictEqual(vi.getTimerCount(), 1, "re-armed")
      cancel()
      assert.strictEqual(vi.getTimerCount(), 0, "cancelling clears the re-armed timer")
      vi.advanceTimersByTime(1_000)
      assert.isFalse(cancelledFired)
    })

    it("never wakes once cancelled before its timer", () => {
      let cancelledFired = false
      Clock.system.sleepLast(1, () => (cancelledFired = true))()
      vi.advanceTimersByTime(1_000)
      assert.isFalse(cancelledFired)
    })
  })
})
