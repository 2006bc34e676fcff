import { Durations } from "@streamguard/kernel"
import { assert, describe, it } from "vitest"

describe("Durations.parse", () => {
  it("reads the short forms operators type, numbers as milliseconds, and Effect's long forms", () => {
    const cases: ReadonlyArray<readonly [unknown, number]> = [
      ["30s", 30_000],
      ["2m", 120_000],
      ["1500ms", 1_500],
      [" 1h ", 3_600_000],
      ["1d", 86_400_000],
      ["1.5s", 1_500],
      ["1500", 1_500],
      [2500, 2_500],
      [0, 0],
      ["30 seconds", 30_000],
      ["1 second", 1_000],
      ["1500 millis", 1_500],
      ["2 minutes", 120_000],
      ["1 hour", 3_600_000],
      ["2 days", 172_800_000],
      ["1 week", 604_800_000],
      ["1500 micros", 1.5],
      ["1500 nanos", 0.0015],
      ["0.5 seconds", 500]
    ]
    for (const [input, millis] of cases) assert.strictEqual(Durations.parse(input), millis, JSON.stringify(input))
  })

  it("reads a negative long form as zero, as Effect does, and refuses everything else that is not a duration", () => {
    assert.strictEqual(Durations.parse("-3 seconds"), 0)
    for (
      const bad of [-5, NaN, Infinity, "-3s", "soon", "", "30 parsecs", "30seconds", "30 Seconds", "1e3", null, {}]
    ) {
      assert.isUndefined(Durations.parse(bad), JSON.stringify(bad))
    }
  })
})

describe("Durations.parseTimeout", () => {
  it("reads a positive duration, and none as no limit (Infinity)", () => {
    assert.deepStrictEqual(Durations.parseTimeout("45s"), { value: 45_000 })
    assert.deepStrictEqual(Durations.parseTimeout(1_500), { value: 1_500 })
    assert.deepStrictEqual(Durations.parseTimeout(" none "), { value: Infinity })
  })

  it("refuses zero and negative values as too short, and anything else as no duration, quoting the input", () => {
    for (const short of ["0s", 0, -5, "-3", "-3 seconds"]) {
      assert.deepStrictEqual(
        Durations.parseTimeout(short),
        { reason: `a timeout must be positive; got ${JSON.stringify(short)}` },
        JSON.stringify(short)
      )
    }
    for (const bad of ["-3s", "soon", "", "30 parsecs", NaN]) {
      const parsed = Durations.parseTimeout(bad)
      assert.isFalse(Durations.isParsed(parsed), JSON.stringify(bad))
      assert.include("reason" in parsed ? parsed.reason : "", "expected a duration such as \"30s\"")
    }
  })

  it("formatTimeout writes what parseTimeout reads back", () => {
    for (const millis of [1, 1_500, 30_000, Infinity]) {
      assert.deepStrictEqual(Durations.parseTimeout(Durations.formatTimeout(millis)), { value: millis })
    }
    assert.strictEqual(Durations.formatTimeout(Infinity), "none")
  })
})
