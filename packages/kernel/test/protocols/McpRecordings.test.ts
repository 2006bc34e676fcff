import { checkNoLeaks } from "@streamguard/behaviour/Leaks"
import * as Dialects from "@streamguard/kernel/protocols/Dialects"
import type * as Mcp from "@streamguard/kernel/protocols/Mcp"
import type * as StreamEvent from "@streamguard/kernel/StreamEvent"
import * as fs from "node:fs"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import { assert, describe, it } from "vitest"
import type { Recording } from "./fixtures/mcpRecordings.js"
import { record2025, record2026Listen } from "./fixtures/mcpRecordings.js"

checkNoLeaks()

const folder = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../../../fixtures/transcripts/mcp")

/** Set to rewrite the stored transcripts from a fresh recording (then update their .expect.json). */
const rewrite = process.env.STREAMGUARD_RECORD_TRANSCRIPTS === "1"

const decode = (recording: Recording, bytes: Uint8Array) => {
  const request = { headers: recording.headers, body: JSON.stringify(recording.body) }
  const decoder = Dialects.mcp.decoder(Dialects.mcp.streamKind?.(request)?.decode)
  const events: Array<StreamEvent.StreamEvent<Mcp.JsonRpcMessage>> = []
  assert.isUndefined(decoder.push(bytes, events))
  assert.isUndefined(decoder.end(events))
  return events
}

/** The messages and what each means; pings (comments, priming events) depend on timing, so only their presence counts. */
const meaning = (events: ReadonlyArray<StreamEvent.StreamEvent<Mcp.JsonRpcMessage>>) => ({
  messages: events.flatMap((event) =>
    Dialects.mcp.isPing(event) && event._tag === "Keepalive" && event.value === undefined
      ? []
      : [[event._tag, event._tag === "ErrorSignal" ? event.payload : event.value]]
  ),
  pinged: events.some(Dialects.mcp.isPing)
})

describe("the recorded MCP transcripts are what the SDKs' servers send", () => {
  for (
    const [name, record] of [
      ["sdk1-2025-11-25-priming-progress", record2025],
      ["sdk2-2026-07-28-listen", record2026Listen]
    ] as const
  ) {
    it(`mcp/${name}.txt: a fresh recording means the same, message for message`, async () => {
      const live = await record()
      const file = path.join(folder, `${name}.txt`)
      if (rewrite) fs.writeFileSync(file, live.response)
      const stored = decode(live, new Uint8Array(fs.readFileSync(file)))
      assert.deepStrictEqual(meaning(stored), meaning(decode(live, live.response)))
      assert.isTrue(meaning(stored).pinged)
    }, 10_000)
  }
})
