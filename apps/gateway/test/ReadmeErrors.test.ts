/**
 * The README's error shapes ("Error bodies (and the in-band events) per dialect") against what a
 * client of the gateway gets: every field of each documented line, nested ones included, and no
 * other.
 */
import { assert, describe, it } from "@effect/vitest"
import { Duration, Effect } from "effect"
import * as Fs from "node:fs"
import { fileURLToPath } from "node:url"
import { start } from "./GatewayUnderTest.js"

const readme = Fs.readFileSync(fileURLToPath(new URL("../README.md", import.meta.url)), "utf8")

/** The documented line of `label` ("OpenAI chat, event"), as JSON: an event's `data:` part. */
const documented = (label: string): unknown => {
  const block = /<!-- error-shapes -->\n```text\n([\s\S]*?)```/.exec(readme)![1]!
  const line = block.split("\n").find((l) => l.startsWith(`${label}:`))
  assert.isDefined(line, label)
  const json = line!.slice(label.length + 1).trim().replace(/^(event: error \/ )?data: /, "")
  return JSON.parse(json)
}

/** Every key path of a JSON value: `error.usage.characters`, ... */
const shape = (value: unknown, at = ""): Array<string> =>
  typeof value === "object" && value !== null && !Array.isArray(value)
    ? Object.entries(value).flatMap(([key, inner]) => [`${at}${key}`, ...shape(inner, `${at}${key}.`)]).sort()
    : []

const endpoints = [
  { dialect: "OpenAI chat", path: "/v1/chat/completions", body: { messages: [{ role: "user", content: "hi" }] } },
  { dialect: "Responses", path: "/v1/responses", body: { input: "hi" } },
  { dialect: "Anthropic", path: "/v1/messages", body: { max_tokens: 16, messages: [{ role: "user", content: "hi" }] } }
] as const

const post = (url: string, path: string, body: Record<string, unknown>) =>
  Effect.promise(() =>
    fetch(`${url}${path}`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-streamguard-profile": "short" },
      body: JSON.stringify(body)
    }).then(async (response) => ({ status: response.status, text: await response.text() }))
  )

describe("the README's error shapes", () => {
  for (const { body, dialect, path } of endpoints) {
    it.live(`${dialect}: the JSON body and the in-band event have exactly the documented fields`, () =>
      Effect.gen(function*() {
        const gateway = yield* start({
          profiles: {
            short: { chunk: Duration.millis(300), request: Duration.millis(300) }
          }
        })
        const json = yield* post(gateway.url, path, { ...body, model: "sim:think-5s" })
        assert.strictEqual(json.status, 504)
        assert.deepStrictEqual(shape(JSON.parse(json.text)), shape(documented(`${dialect}, JSON`)))

        const streamed = yield* post(gateway.url, path, { ...body, model: "sim:stall-after-3?gap=5ms", stream: true })
        assert.strictEqual(streamed.status, 200)
        const frames = streamed.text.trim().split("\n\n")
        const last = frames.at(-1)!
        if (dialect !== "OpenAI chat") assert.match(last, /^event: error\n/)
        const data = JSON.parse(/^data: (.*)$/m.exec(last)![1]!)
        assert.deepStrictEqual(shape(data), shape(documented(`${dialect}, event`)))
      }))
  }
})
