/**
 * The `/streams` page as an operator uses it, in Debian's Chromium driven headless: the key in
 * the form, a stream that stalls after three chunks seen streaming with its `chunk` bar filling,
 * then gone from the streams in flight and listed under the recent ends as `chunk_timeout`.
 *
 * With STREAMGUARD_SCREENSHOT set (a path from the repository's root, such as
 * apps/gateway/docs/streams-page.png) it keeps a screenshot of the page while that stream stalls.
 */
import { assert, describe, it } from "@effect/vitest"
import { Duration, Effect, Redacted } from "effect"
import { mkdirSync } from "node:fs"
import { dirname, resolve } from "node:path"
import { fileURLToPath } from "node:url"
import puppeteer from "puppeteer-core"
import type { Browser, Page } from "puppeteer-core"
import { requestEnd, start } from "./GatewayUnderTest.js"
import { which } from "./Replicas.js"

const chromium = which("chromium")
if (chromium === undefined) {
  process.stderr.write("StreamsPage: skipped, chromium is not installed (apt-get install chromium; .ci/run does)\n")
}

const key = "page-key"
const prompt = "a prompt the page must never show"
const repository = fileURLToPath(new URL("../../../", import.meta.url))

/**
 * The little of the browser's globals the page's callbacks read: the tests compile without the
 * DOM's types, and a callback runs in the page, so it reaches them through `globalThis`.
 */
interface InPage {
  readonly document: { querySelector(selector: string): { getAttribute(name: string): string | null } | null }
  readonly sessionStorage: { getItem(key: string): string | null }
  readonly localStorage: { readonly length: number }
  readonly location: { readonly href: string }
}

/** A browser for the test's scope: Debian's chromium, headless, closed with the scope. */
const browser = Effect.acquireRelease(
  Effect.promise(() =>
    puppeteer.launch({
      executablePath: chromium!,
      headless: true,
      // As root (in CI) chromium needs --no-sandbox; a small /dev/shm needs the other.
      args: ["--no-sandbox", "--disable-dev-shm-usage"]
    })
  ),
  (opened: Browser) => Effect.promise(() => opened.close())
)

/**
 * Opens a stream through the gateway and reads it to its end in the background; the returned
 * controller cuts it (the client leaving).
 */
const openStream = (url: string, model: string, requestId: string, profile?: string): AbortController => {
  const controller = new AbortController()
  void fetch(`${url}/v1/chat/completions`, {
    method: "POST",
    signal: controller.signal,
    headers: {
      "content-type": "application/json",
      authorization: `Bearer ${key}`,
      "x-request-id": requestId,
      ...(profile === undefined ? {} : { "x-streamguard-profile": profile })
    },
    body: JSON.stringify({ model, stream: true, messages: [{ role: "user", content: prompt }] })
  }).then((response) => response.text()).catch(() => undefined)
  return controller
}

/** The `data-fraction` of a stream's bar of `limit` in the in-flight table, when shown. */
const fractionOf = (page: Page, requestId: string, limit: string) =>
  page.evaluate(
    (id, name) =>
      (globalThis as unknown as InPage).document.querySelector(
        `#streams-body tr[data-request-id="${id}"] [data-limit="${name}"]`
      )?.getAttribute(
        "data-fraction"
      ) ?? null,
    requestId,
    limit
  ).then((fraction) => fraction === null ? undefined : Number(fraction))

/** Waits, at most `timeout` ms, until the page shows `requestId`'s `chunk` bar past `above`, in phase streaming. */
const chunkBarPast = (page: Page, requestId: string, above: number, timeout = 10_000) =>
  page.waitForFunction(
    (id, past) => {
      const bar = (globalThis as unknown as InPage).document.querySelector(
        `#streams-body tr[data-request-id="${id}"][data-phase="streaming"] [data-limit="chunk"]`
      )
      return bar !== null && Number(bar.getAttribute("data-fraction")) > past
    },
    { timeout, polling: "mutation" },
    requestId,
    above
  )

describe.skipIf(chromium === undefined)("the /streams page", () => {
  it.live(
    "shows a stalling stream's chunk bar filling, then its chunk_timeout under the recent ends",
    () =>
      Effect.gen(function*() {
        const gateway = yield* start({
          gatewayKeys: [Redacted.make(key)],
          profiles: { fast: { chunk: Duration.seconds(6) } }
        })
        const page = yield* Effect.flatMap(browser, (opened) => Effect.promise(() => opened.newPage()))
        const others: Array<AbortController> = []
        yield* Effect.addFinalizer(() => Effect.sync(() => others.forEach((controller) => controller.abort())))

        yield* Effect.promise(async () => {
          await page.setViewport({ width: 1500, height: 900 })
          // Without a key: the page is its key form only, and its data is refused as /metrics is.
          const opened = await page.goto(`${gateway.url}/streams`)
          assert.strictEqual(opened?.status(), 401)
          await page.waitForSelector("#key-form:not([hidden])", { timeout: 10_000 })
          assert.isTrue(await page.$eval("#live", (main) => main.hasAttribute("hidden")))
          const refused = await page.evaluate(() =>
            fetch("streams.json").then(async (response) => ({ status: response.status, body: await response.text() }))
          )
          const metrics = await fetch(`${gateway.url}/metrics`)
          assert.deepStrictEqual(refused, { status: 401, body: await metrics.text() })
          assert.strictEqual(metrics.status, 401)
        })

        // A stream that ends at once, and two that run on: one thinking, one streaming slowly.
        const quick = openStream(gateway.url, "sim:steady?chunks=5&gap=5ms", "page-done")
        others.push(quick)
        yield* requestEnd(gateway, "page-done")
        others.push(openStream(gateway.url, "sim:think-5m", "page-thinking"))
        others.push(openStream(gateway.url, "sim:steady?chunks=500&gap=700ms", "page-steady"))

        yield* Effect.promise(async () => {
          await page.type("#key", key)
          await page.click("#key-form button[type=submit]")
          await page.waitForSelector("#live:not([hidden])", { timeout: 10_000 })
          // The key stays in this tab's sessionStorage: not in the URL, not in localStorage.
          const stored = await page.evaluate(() => {
            const { localStorage, location, sessionStorage } = globalThis as unknown as InPage
            return {
              session: sessionStorage.getItem("streamguard.gatewayKey"),
              local: localStorage.length,
              url: location.href
            }
          })
          assert.deepStrictEqual(stored, { session: key, local: 0, url: `${gateway.url}/streams` })
        })

        others.push(openStream(gateway.url, "sim:stall-after-3?gap=5ms", "page-stall", "fast"))
        yield* Effect.promise(async () => {
          await chunkBarPast(page, "page-stall", 0)
          const first = (await fractionOf(page, "page-stall", "chunk"))!
          // Filling: the silence grows toward the limit, and chunk is the limit that ends it first.
          await chunkBarPast(page, "page-stall", Math.max(first, 0.5))
          const bar = await page.$(`#streams-body tr[data-request-id="page-stall"] [data-limit="chunk"]`)
          assert.isTrue(await bar!.evaluate((node) => node.classList.contains("next")))
          const shot = process.env["STREAMGUARD_SCREENSHOT"]
          if (shot !== undefined && shot !== "") {
            const path = resolve(repository, shot)
            mkdirSync(dirname(path), { recursive: true })
            await page.screenshot({ path: path as `${string}.png`, fullPage: true })
          }
          // Then it ends: gone from the streams in flight, listed under the recent ends.
          await page.waitForFunction(
            () => {
              const { document } = globalThis as unknown as InPage
              return document.querySelector(`#streams-body tr[data-request-id="page-stall"]`) === null &&
                document.querySelector(`#ends-body tr[data-request-id="page-stall"][data-outcome="chunk_timeout"]`) !==
                  null
            },
            { timeout: 15_000, polling: "mutation" }
          )
          const shown = await page.$eval("#live", (main) => main.textContent ?? "")
          assert.include(shown, "chunk_timeout")
          assert.include(shown, "page-thinking")
          // Never the prompt, a key, or the upstream's address.
          for (const secret of [prompt, key, gateway.simulator.url, new URL(gateway.simulator.url).host]) {
            assert.notInclude(await page.content(), secret)
          }
        })
        const line = yield* requestEnd(gateway, "page-stall")
        assert.strictEqual(line["outcome"], "chunk_timeout")
      }),
    { timeout: 60_000 }
  )
})
