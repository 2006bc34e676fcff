import { Clock } from "@streamguard/kernel"
import { assert, describe, it } from "vitest"

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

  it("sleepLast wakes once the time read is past the instant, so what arrives at it is in time", async () => {
    const started = Clock.system.now()
    const woken = await new Promise<number>((resolve) => Clock.system.sleepLast(20, () => resolve(Clock.system.now())))
    assert.isAbove(woken - started, 20)
    let cancelledFired = false
    Clock.system.sleepLast(1, () => (cancelledFired = true))()
    await new Promise<void>((resolve) => Clock.system.sleepLast(5, resolve))
    assert.isFalse(cancelledFired)
  })
})
