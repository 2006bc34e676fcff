import { assert, describe, it } from "@effect/vitest"
import { SoakTally } from "../../src/soak/SoakTally.js"
import * as SoakVerdict from "../../src/soak/SoakVerdict.js"

const MiB = 1024 * 1024

/** One sample every 10 s from `from` seconds on, RSS in MiB as given. */
const samples = (from: number, rss: ReadonlyArray<number>) =>
  rss.map((mib, i) => ({ elapsedSeconds: from + 10 * i, rssBytes: mib * MiB }))

const clean = (): SoakVerdict.Facts => {
  const tally = new SoakTally()
  tally.ended("done", { lost: 0, duplicated: 0 })
  tally.ended("closed_by_soak")
  return {
    totals: tally.totals(),
    streams: 9000,
    rampSeconds: 95,
    rss: { name: "rss", ok: true, detail: "" },
    fdsBaseline: 28,
    fdsEnd: 27,
    inFlightEnd: 0
  }
}

const failed = (verdict: SoakVerdict.Verdict) => verdict.checks.filter((check) => check.ok === false).map((c) => c.name)

describe("SoakVerdict", () => {
  it("RSS that moves with the collector and the reopening waves but does not climb is flat", () => {
    // Warm-up ends at 200 s; the samples before it (the ramp's climb) are not judged.
    const rss = [300, 500, 700, ...[900, 1010, 940, 980, 1050, 930, 990, 1020, 950]]
    const check = SoakVerdict.rssFlat(samples(170, rss), 200)
    assert.isTrue(check.ok, check.detail)
    assert.match(check.detail, /9 samples after warm-up/)
  })

  it("RSS that climbs after warm-up is not flat", () => {
    const check = SoakVerdict.rssFlat(samples(200, [900, 920, 940, 980, 1000, 1030, 1060, 1090, 1120]), 200)
    assert.isFalse(check.ok, check.detail)
  })

  it("too few samples after warm-up, or a ramp that never ended, are not judged", () => {
    assert.isUndefined(SoakVerdict.rssFlat(samples(200, [900, 900, 900, 900, 900]), 200).ok)
    assert.isUndefined(SoakVerdict.rssFlat(samples(200, [900, 900, 900, 900, 900, 900]), undefined).ok)
  })

  it("a clean run passes; a check not judged does not fail it", () => {
    assert.isTrue(SoakVerdict.judge(clean()).pass)
    assert.isTrue(SoakVerdict.judge({ ...clean(), rss: { name: "rss", ok: undefined, detail: "" } }).pass)
  })

  it("one error of any class, a reset, a chunk lost or repeated, a ramp that never ended, descriptors or streams left fail it", () => {
    const tally = (outcome: string, check?: { lost: number; duplicated: number }) => {
      const t = new SoakTally()
      t.ended(outcome, check)
      return t.totals()
    }
    assert.deepStrictEqual(failed(SoakVerdict.judge({ ...clean(), totals: tally("http_503") })), ["errors"])
    assert.deepStrictEqual(failed(SoakVerdict.judge({ ...clean(), totals: tally("socket:ECONNRESET") })), [
      "errors",
      "resets"
    ])
    assert.deepStrictEqual(
      failed(SoakVerdict.judge({ ...clean(), totals: tally("done", { lost: 0, duplicated: 1 }) })),
      ["chunks"]
    )
    assert.deepStrictEqual(failed(SoakVerdict.judge({ ...clean(), rampSeconds: undefined })), ["ramp"])
    assert.deepStrictEqual(failed(SoakVerdict.judge({ ...clean(), fdsEnd: 29 })), ["descriptors"])
    assert.deepStrictEqual(failed(SoakVerdict.judge({ ...clean(), fdsEnd: Number.NaN })), ["descriptors"])
    assert.deepStrictEqual(failed(SoakVerdict.judge({ ...clean(), inFlightEnd: Number.NaN })), ["inFlight"])
  })
})
