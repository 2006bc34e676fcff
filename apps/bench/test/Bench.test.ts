import { assert, describe, it } from "@effect/vitest"
import { execFile } from "node:child_process"
import * as Fs from "node:fs/promises"
import * as Os from "node:os"
import * as Path from "node:path"
import { fileURLToPath } from "node:url"
import { promisify } from "node:util"
import * as GatewayScale from "../src/scenarios/GatewayScale.js"
import * as UpstreamHttp2 from "../src/scenarios/UpstreamHttp2.js"

const appDir = fileURLToPath(new URL("..", import.meta.url))

interface Section {
  readonly metrics: Record<string, number>
  readonly baselines: Record<string, Record<string, number>>
  readonly ratios: Record<string, number>
  readonly derived?: Record<string, number>
}

const scenarios = [
  "chunkOverhead",
  "idleMemory",
  "timeoutPrecision",
  "cancelLatency",
  "gatewayOverhead",
  "gatewayIdle",
  // gatewayIdle9k is the full run's only. Runs where openssl is installed (it makes the certificate).
  ...(UpstreamHttp2.available() ? ["upstreamHttp2"] : []),
  // Runs where nginx is installed (CI installs it).
  ...(GatewayScale.available() ? ["gatewayScale"] : [])
]

describe("bench --smoke", () => {
  // Speeds are never asserted: only that the bench still runs end to end and produces every figure.
  it("produces every scenario's metrics, baselines and ratios as finite numbers", async () => {
    const dir = await Fs.mkdtemp(Path.join(Os.tmpdir(), "bench-smoke-"))
    const json = Path.join(dir, "report.json")
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ["--conditions=@streamguard/source", "--import", "tsx", "src/main.ts", "--smoke", "--json", json],
      { cwd: appDir, maxBuffer: 16 * 1024 * 1024 }
    )
    const report = JSON.parse(await Fs.readFile(json, "utf8")) as {
      mode: string
      scenarios: Record<string, Section>
    }
    assert.strictEqual(report.mode, "smoke")
    assert.deepStrictEqual(Object.keys(report.scenarios), scenarios)
    const figures = Object.entries(report.scenarios).flatMap(([name, section]) => [
      ...Object.entries(section.metrics).map(([key, value]) => [`${name}.metrics.${key}`, value] as const),
      ...Object.entries(section.baselines).flatMap(([baseline, metrics]) =>
        Object.entries(metrics).map(([key, value]) => [`${name}.baselines.${baseline}.${key}`, value] as const)
      ),
      ...Object.entries(section.ratios).map(([key, value]) => [`${name}.ratios.${key}`, value] as const),
      ...Object.entries(section.derived ?? {}).map(([key, value]) => [`${name}.derived.${key}`, value] as const)
    ])
    const notFinite = figures.filter(([, value]) => typeof value !== "number" || !Number.isFinite(value))
    assert.deepStrictEqual(notFinite, [])
    for (const name of ["cpuMicrosPerChunk", "rssBytesPerStream", "lateMsP99", "interruptToCloseMsP99"]) {
      assert.isTrue(figures.some(([key]) => key.endsWith(`.metrics.${name}`)), `${name} is reported`)
    }
    // The figures the targets read, by the names other tools read them by.
    for (
      const name of [
        "timeoutPrecision.baselines.undiciRaw.lateMsP99",
        "timeoutPrecision.ratios.lateP99VsUndiciRaw",
        "cancelLatency.baselines.undiciRaw.abortToCloseMsP99",
        "cancelLatency.ratios.interruptToCloseP99VsUndiciRaw",
        "cancelLatency.ratios.timeoutToCloseP99VsUndiciRaw",
        "idleMemory.derived.idleCpuAboveUndiciRaw",
        "gatewayIdle.metrics.rssBytesPerStream",
        "gatewayIdle.metrics.idleCpuPercent",
        "gatewayIdle.metrics.descriptorsPerStream",
        ...(UpstreamHttp2.available()
          ? ["upstreamHttp2.ratios.rssHttp2VsHttp1", "upstreamHttp2.baselines.http1.descriptorsPerStream"]
          : []),
        ...(GatewayScale.available()
          ? ["gatewayScale.ratios.throughputClusterVsOneProcess", "gatewayScale.ratios.throughputTwoVsOneReplica"]
          : [])
      ]
    ) {
      assert.isTrue(figures.some(([key]) => key === name), `${name} is reported`)
    }
    assert.include(stdout, "### chunkOverhead")
    await Fs.rm(dir, { recursive: true, force: true })
  }, 300_000)
})
