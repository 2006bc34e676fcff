import { assert, describe, it } from "@effect/vitest"
import * as SoakOptions from "../../src/soak/SoakOptions.js"

const parse = (args: ReadonlyArray<string>): SoakOptions.SoakOptions => {
  const options = SoakOptions.parse(args)
  if (options === "help") throw new Error("unexpected help")
  return options
}

describe("SoakOptions", () => {
  it("defaults to a minute of 100 long streams opened at up to 100/s, 20 short streams/s, a sample every 10 s", () => {
    const options = parse([])
    assert.deepInclude(options, {
      streams: 100,
      durationMillis: 60_000,
      rampPerSecond: 100,
      rampWindow: 64,
      steadyPerSecond: 20,
      sampleMillis: 10_000,
      longChunks: 5,
      longGapMillis: 20_000,
      longKeepaliveMillis: 10_000,
      // Warm-up: one long stream's life after the ramp, so each has been opened, ended and reopened.
      warmupMillis: 100_000,
      json: undefined,
      gatewayCommand: undefined
    })
    // The long streams' 5 x 20 s fit the chat profile's 120 s total and 30 s chunk limits.
    assert.isBelow(options.longChunks * options.longGapMillis, 120_000)
    assert.isAtLeast(options.maxConcurrentStreams, options.streams)
  })

  it("reads counts, fractional minutes and durations", () => {
    const options = parse([
      "--streams",
      "2000",
      "--minutes",
      "0.5",
      "--long-gap",
      "25s",
      "--steady-gap",
      "5",
      "--json",
      "o.json",
      "--warmup",
      "30 seconds",
      "--gateway-command",
      "node apps/gateway/dist/main.js"
    ])
    assert.deepInclude(options, {
      streams: 2000,
      durationMillis: 30_000,
      longGapMillis: 25_000,
      steadyGapMillis: 5,
      json: "o.json",
      warmupMillis: 30_000,
      gatewayCommand: "node apps/gateway/dist/main.js"
    })
    assert.isAtLeast(options.maxConcurrentStreams, 2000)
  })

  it("names the flag it cannot read", () => {
    assert.throws(() => SoakOptions.parse(["--streams", "many"]), SoakOptions.SoakOptionsError, "--streams")
    assert.throws(() => SoakOptions.parse(["--long-gap", "soon"]), SoakOptions.SoakOptionsError, "--long-gap")
    assert.throws(() => SoakOptions.parse(["--ramp", "0"]), SoakOptions.SoakOptionsError, "--ramp")
    assert.throws(() => SoakOptions.parse(["--ramp-window", "0"]), SoakOptions.SoakOptionsError, "--ramp-window")
    assert.throws(() => SoakOptions.parse(["--warmup=-1s"]), SoakOptions.SoakOptionsError, "--warmup")
  })

  it("answers --help", () => {
    assert.strictEqual(SoakOptions.parse(["--help"]), "help")
  })
})
