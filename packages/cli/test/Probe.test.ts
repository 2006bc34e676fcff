import { assert, describe, it } from "@effect/vitest"
import { UpstreamSimulator } from "@streamguard/simulator"
import { Effect } from "effect"
import { execFile } from "node:child_process"
import { fileURLToPath } from "node:url"
import { runCli } from "./support/runCli.js"

const bin = fileURLToPath(new URL("../bin/streamguard.js", import.meta.url))

const key = "sk-probe-test-5f3a9c1e"

const probe = (url: string, model: string, ...extra: Array<string>) =>
  runCli(["probe", `${url}/v1/chat/completions`, "--dialect", "openaiChat", "--model", model, ...extra], {
    PROBE_KEY: key
  })

describe("streamguard probe", () => {
  it.live("measures a thinking provider: first content ~2 s, gaps ~50 ms, and recommends limits above both", () =>
    Effect.gen(function*() {
      const sim = yield* UpstreamSimulator.make()
      const args = ["--runs", "2", "--concurrency", "2", "--json"]
      const ran = yield* probe(sim.url, "sim:think-2s?gap=50ms&chunks=10", ...args)
      assert.isUndefined(ran.failure)
      const report = JSON.parse(ran.stdout)
      const { recommendation, summary } = report
      assert.deepStrictEqual(summary.outcomes, { done: 2 })
      assert.isAtLeast(summary.firstContent.p50, 1950)
      assert.isBelow(summary.firstContent.max, 2600)
      assert.isAtLeast(summary.eventGaps.p50, 20)
      assert.isBelow(summary.eventGaps.p50, 90)
      assert.isAtLeast(summary.contentGaps.p50, 20)
      assert.isBelow(summary.contentGaps.p50, 90)
      const limit = (field: string) => recommendation.limits.find((l: { field: string }) => l.field === field).millis
      assert.isAbove(limit("firstChunk"), summary.firstContent.max)
      assert.isAbove(limit("chunk"), summary.eventGaps.max)
      assert.isAbove(limit("progress"), summary.contentGaps.max)
      assert.isAbove(limit("total"), summary.duration.max)
      assert.include(recommendation.env, `STREAMGUARD_CHAT_FIRST_CHUNK_TIMEOUT=${recommendation.limits[0].value}`)
      assert.strictEqual(report.runs.length, 2)
    }))

  it.live("prints the timeline, the summary, env lines and a config block, and never the key", () =>
    Effect.gen(function*() {
      const sim = yield* UpstreamSimulator.make()
      const ran = yield* probe(sim.url, "sim:steady?chunks=6&gap=5ms", "--runs", "2", "--key-env", "PROBE_KEY")
      assert.isUndefined(ran.failure)
      for (
        const expected of [
          "run 1 +0ms     started",
          "headers",
          "first content (1 chunk)",
          "done  6 chunks",
          "Summary of 2 runs: done 2",
          "time to first content",
          "gap between events",
          "STREAMGUARD_CHAT_CHUNK_TIMEOUT=",
          "\"profiles\": {"
        ]
      ) assert.include(ran.stdout, expected)
      assert.notInclude(ran.stdout + ran.stderr, key)
      assert.notInclude(ran.stdout, "\x1b[", "no colour when not a terminal")
      // Both requests reached the upstream.
      const requests = yield* sim.requests
      assert.strictEqual(requests.length, 2)
    }))

  it.live("--header is optional, listed so in the usage, and sent when given", () =>
    Effect.gen(function*() {
      const help = yield* Effect.promise(() =>
        new Promise<string>((resolve) =>
          execFile(process.execPath, [bin, "probe", "--help"], { timeout: 30_000 }, (_, stdout) => resolve(stdout))
        )
      )
      // The usage line names the required flags; --header is one of the optional [flags], repeatable.
      assert.include(help, "\n  streamguard probe --dialect choice [flags] <url>\n")
      assert.match(help, /\n {2}--header string +an extra request header, name:value \(repeatable\)\n/)
      const sim = yield* UpstreamSimulator.make()
      const ran = yield* probe(
        sim.url,
        "sim:steady?chunks=2&gap=1ms",
        "--runs",
        "1",
        "--header",
        "x-sim-request-id:given"
      )
      assert.isUndefined(ran.failure)
      assert.deepStrictEqual((yield* sim.requests).map((record) => record.id), ["given"])
    }), { timeout: 30_000 })

  it.live("reports a stall as such: the runs end chunk_timeout, listed as stalled", () =>
    Effect.gen(function*() {
      const sim = yield* UpstreamSimulator.make()
      const args = ["--runs", "1", "--stall-after", "300ms", "--key-env", "PROBE_KEY"]
      const json = JSON.parse((yield* probe(sim.url, "sim:stall-after-3?gap=5ms", ...args, "--json")).stdout)
      assert.deepStrictEqual(json.summary.outcomes, { chunk_timeout: 1 })
      assert.strictEqual(json.summary.stalls[0].chunks, 3)
      assert.isAtLeast(json.summary.stalls[0].silentMillis, 300)
      const text = yield* probe(sim.url, "sim:stall-after-3?gap=5ms", ...args)
      assert.include(text.stdout, "chunk_timeout  3 chunks")
      assert.include(text.stdout, "stalled: run 1 chunk_timeout after 3 chunks")
      assert.include(text.stdout, "1 of 1 runs stalled")
      assert.notInclude(text.stdout + text.stderr + JSON.stringify(json), key)
    }))

  it.effect("a --key-env that names no variable fails, naming the variable", () =>
    Effect.gen(function*() {
      const ran = yield* runCli([
        "probe",
        "http://127.0.0.1:1/v1/chat/completions",
        "-d",
        "openaiChat",
        "--key-env",
        "NOPE"
      ])
      assert.strictEqual(ran.failure?._tag, "CliError")
      assert.include(ran.failure?.message, "NOPE")
    }))
})
