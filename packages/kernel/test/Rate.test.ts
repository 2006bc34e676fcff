import { Durations, Rate } from "@streamguard/kernel"
import { assert, describe, it } from "vitest"

describe("Rate.parse", () => {
  it("reads events per window as operators write it, and none", () => {
    assert.deepStrictEqual(Rate.parse("5/10s"), { value: { events: 5, windowMillis: 10_000 } })
    assert.deepStrictEqual(Rate.parse(" 20 / 1m "), { value: { events: 20, windowMillis: 60_000 } })
    assert.deepStrictEqual(Rate.parse("5 per 10 seconds"), { value: { events: 5, windowMillis: 10_000 } })
    assert.deepStrictEqual(Rate.parse("1/1500ms"), { value: { events: 1, windowMillis: 1_500 } })
    assert.deepStrictEqual(Rate.parse("none"), { value: Rate.none })
  })

  it("refuses what is not a rate, saying why", () => {
    for (const bad of ["5", "5/", "/10s", "0/10s", "5/0s", "5/none", "-1/10s", "1.5/10s", "fast", ""]) {
      assert.isFalse(Durations.isParsed(Rate.parse(bad)), JSON.stringify(bad))
    }
    const reason = (input: string) => {
      const parsed = Rate.parse(input)
      return "reason" in parsed ? parsed.reason : undefined
    }
    assert.include(reason("fast"), "\"5/10s\"")
    assert.include(reason("0/10s"), "at least 1 event")
    assert.include(reason("5/0s"), "window must be a positive duration")
  })

  it("limits only with events in a finite window, and format writes what parse reads back", () => {
    assert.isFalse(Rate.isLimit(Rate.none))
    assert.isTrue(Rate.isLimit({ events: 5, windowMillis: 10_000 }))
    for (const rate of [{ events: 5, windowMillis: 10_000 }, Rate.none]) {
      assert.deepStrictEqual(Rate.parse(Rate.format(rate)), { value: rate })
    }
  })
})
