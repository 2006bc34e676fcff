/**
 * The documented check that the HTML report shows its histogram in a real browser: probes the
 * simulator, writes the report, has headless Chromium (Debian's `chromium` package) screenshot
 * it, and counts the bars in the picture against the report's bins. Not part of `npm test` (it
 * needs Chromium, and takes a few seconds); run it from the repository's root:
 *
 *   npx tsx --conditions=@streamguard/source packages/cli/test/chromium/screenshotReport.ts [out.png]
 */
import { NodeServices } from "@effect/platform-node"
import { Cli, Output } from "@streamguard/cli"
import { LlmClient } from "@streamguard/client"
import { UpstreamSimulator } from "@streamguard/simulator"
import { Effect, Layer } from "effect"
import { execFileSync } from "node:child_process"
import * as Fs from "node:fs"
import * as Os from "node:os"
import * as Path from "node:path"
import { pathToFileURL } from "node:url"
import * as Zlib from "node:zlib"

/** The bars' fill in the page's stylesheet (`.bar { fill: #3b73d9 }`). */
const barColor = [0x3b, 0x73, 0xd9] as const

interface Image {
  readonly width: number
  readonly height: number
  readonly channels: number
  readonly pixels: Uint8Array
}

/** An 8-bit, non-interlaced RGB or RGBA PNG, as Chromium writes its screenshots. */
const decodePng = (file: Buffer): Image => {
  const width = file.readUInt32BE(16)
  const height = file.readUInt32BE(20)
  const colorType = file[25]
  if (file[24] !== 8 || (colorType !== 2 && colorType !== 6) || file[28] !== 0) throw new Error("unexpected PNG kind")
  const channels = colorType === 6 ? 4 : 3
  const idat: Array<Buffer> = []
  for (let at = 8; at < file.length;) {
    const length = file.readUInt32BE(at)
    if (file.toString("latin1", at + 4, at + 8) === "IDAT") idat.push(file.subarray(at + 8, at + 8 + length))
    at += length + 12
  }
  const raw = Zlib.inflateSync(Buffer.concat(idat))
  const stride = width * channels
  const pixels = new Uint8Array(height * stride)
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)]!
    const line = raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1))
    for (let x = 0; x < stride; x++) {
      const a = x >= channels ? pixels[y * stride + x - channels]! : 0
      const b = y > 0 ? pixels[(y - 1) * stride + x]! : 0
      const c = x >= channels && y > 0 ? pixels[(y - 1) * stride + x - channels]! : 0
      const p = a + b - c
      const paeth = Math.abs(p - a) <= Math.abs(p - b) && Math.abs(p - a) <= Math.abs(p - c)
        ? a
        : Math.abs(p - b) <= Math.abs(p - c)
        ? b
        : c
      const predictor = [0, a, b, (a + b) >> 1, paeth][filter]!
      pixels[y * stride + x] = (line[x]! + predictor) & 0xff
    }
  }
  return { width, height, channels, pixels }
}

/** The most separate bar-coloured stretches on any one row: the bars a person sees side by side. */
const barsSeen = (image: Image): number => {
  let most = 0
  for (let y = 0; y < image.height; y++) {
    let bars = 0
    let inBar = false
    for (let x = 0; x < image.width; x++) {
      const at = (y * image.width + x) * image.channels
      const isBar = barColor.every((value, i) => Math.abs(image.pixels[at + i]! - value) <= 6)
      if (isBar && !inBar) bars++
      inBar = isBar
    }
    most = Math.max(most, bars)
  }
  return most
}

const program = Effect.gen(function*() {
  const dir = Fs.mkdtempSync(Path.join(Os.tmpdir(), "streamguard-report-"))
  const html = Path.join(dir, "report.html")
  const png = process.argv[2] ?? Path.join(dir, "report.png")
  const sim = yield* UpstreamSimulator.make()
  yield* Cli.run([
    "node",
    "streamguard",
    "probe",
    `${sim.url}/v1/chat/completions`,
    "--dialect",
    "openaiChat",
    "--model",
    "sim:think-1s?gap=40ms",
    "--runs",
    "3",
    "--concurrency",
    "3",
    "--html",
    html
  ])
  const page = Fs.readFileSync(html, "utf8")
  const bins = [...page.matchAll(/<rect class="bar"[^>]*data-count="(\d+)"/g)].map((m) => Number(m[1]))
  // The window holds the title and the histogram only, so no other blue is in the picture.
  execFileSync("chromium", [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--hide-scrollbars",
    "--window-size=860,400",
    `--screenshot=${png}`,
    pathToFileURL(html).href
  ], { stdio: "ignore", timeout: 60_000 })
  const seen = barsSeen(decodePng(Fs.readFileSync(png)))
  const expected = bins.filter((count) => count > 0).length
  process.stdout.write(`report ${html}\nscreenshot ${png}\nbins ${bins.join(",")}\n`)
  process.stdout.write(`bars in the screenshot: ${seen}, non-empty bins: ${expected}\n`)
  if (seen !== expected) return yield* Effect.fail(`the screenshot shows ${seen} bars, the report has ${expected}`)
  process.stdout.write("ok: the histogram is drawn\n")
}).pipe(
  Effect.scoped,
  Effect.provide(Layer.mergeAll(NodeServices.layer, LlmClient.layerUndici(), Output.layerTest()))
)

Effect.runPromise(program).then(
  () => process.exit(0),
  (error) => {
    process.stderr.write(`${String(error)}\n`)
    process.exit(1)
  }
)
