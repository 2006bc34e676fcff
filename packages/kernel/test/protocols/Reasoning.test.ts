/**
 * Each dialect tells reasoning content from answer content (`isReasoning`), on the recorded
 * transcripts and on the providers' documented shapes where no recording has them.
 */
import type * as Dialect from "@streamguard/kernel/protocols/Dialect"
import * as Dialects from "@streamguard/kernel/protocols/Dialects"
import type * as StreamEvent from "@streamguard/kernel/StreamEvent"
import * as fs from "node:fs"
import * as path from "node:path"
import { assert, describe, it } from "vitest"
import { decodeOk, encoder, readTranscript, transcriptDecodeOptions, transcriptsDir } from "./fixtures/wire.js"

const dialects: Record<string, Dialect.Dialect<any>> = {
  "openai-chat": Dialects.openaiChat,
  "openai-responses": Dialects.openaiResponses,
  anthropic: Dialects.anthropic,
  ollama: Dialects.ollama,
  gemini: Dialects.gemini,
  mcp: Dialects.mcp
}

/** The recorded streams that reason, and how many of their content events are reasoning. */
const reasoningIn: Record<string, number> = {
  // 29 thinking_delta and the thinking block's signature_delta, then 3 text_delta.
  "anthropic/extended-thinking.txt": 30,
  // gpt-oss on Groq: `reasoning` deltas only, then an error before the answer.
  "openai-chat/groq-event-error-no-done.txt": 93,
  // OpenRouter: `reasoning` beside an empty `content`.
  "openai-chat/openrouter-inband-error-then-done.txt": 2,
  // OpenRouter's Responses: 26 response.reasoning_text.delta, then one output_text delta.
  "openai-responses/openrouter-data-only-done-sentinel.txt": 26,
  // Gemini 2.5 Pro: 4 frames of thought summaries, then the answer.
  "gemini/thinking-sse.txt": 4
}

const count = <A>(dialect: Dialect.Dialect<A>, events: ReadonlyArray<StreamEvent.StreamEvent<A>>) => {
  const content = events.flatMap((event) => (event._tag === "Chunk" ? [event.value] : []))
  const reasoning = content.filter(dialect.isReasoning).length
  return { reasoning, answer: content.length - reasoning }
}

const transcripts = Object.keys(dialects).flatMap((folder) =>
  fs.readdirSync(path.join(transcriptsDir, folder))
    .filter((file) => file.endsWith(".txt") && !file.includes("json-array"))
    .map((file) => `${folder}/${file}`)
)

describe("Dialect.isReasoning", () => {
  describe("recorded transcripts", () => {
    for (const name of transcripts) {
      const expected = reasoningIn[name] ?? 0
      it(`${name}: ${expected} reasoning content events, the rest answer`, () => {
        const dialect = dialects[name.split("/")[0]!]!
        const events = decodeOk(dialect, [readTranscript(name)], transcriptDecodeOptions(dialect, name))
        const contentChunks = JSON.parse(
          fs.readFileSync(path.join(transcriptsDir, name.replace(/\.txt$/, ".expect.json")), "utf8")
        ).contentChunks
        assert.deepStrictEqual(count(dialect, events), { reasoning: expected, answer: contentChunks - expected })
      })
    }

    it("the reasoning comes first: every reasoning event in them precedes the first answer event", () => {
      for (const name of Object.keys(reasoningIn)) {
        const dialect = dialects[name.split("/")[0]!]!
        const kinds = decodeOk(dialect, [readTranscript(name)]).flatMap((event) =>
          event._tag === "Chunk" ? [dialect.isReasoning(event.value) ? "r" : "a"] : []
        ).join("")
        assert.match(kinds, /^r+a*$/, name)
      }
    })
  })

  describe("documented shapes", () => {
    const sse = (data: unknown, event?: string) =>
      encoder.encode(`${event === undefined ? "" : `event: ${event}\n`}data: ${JSON.stringify(data)}\n\n`)
    const kinds = <A>(dialect: Dialect.Dialect<A>, frames: ReadonlyArray<Uint8Array>) =>
      decodeOk(dialect, frames).flatMap((event) =>
        event._tag === "Chunk" ? [dialect.isReasoning(event.value) ? "reasoning" : "answer"] : []
      )

    it("openaiChat: reasoning_content (DeepSeek) and reasoning are reasoning; content, refusal and tool calls are answer", () => {
      const delta = (delta: object) => sse({ object: "chat.completion.chunk", choices: [{ index: 0, delta }] })
      assert.deepStrictEqual(
        kinds(Dialects.openaiChat, [
          delta({ role: "assistant", content: null, reasoning_content: "Let me think" }),
          delta({ reasoning: "step two" }),
          delta({ content: "", reasoning: "thinking aloud" }),
          delta({ content: "The answer", reasoning: "and a last thought" }),
          delta({ refusal: "No" }),
          delta({ tool_calls: [{ index: 0, function: { arguments: "{" } }] })
        ]),
        ["reasoning", "reasoning", "reasoning", "answer", "answer", "answer"]
      )
    })

    it("anthropic: thinking_delta and signature_delta are reasoning; text, tool input and citations are answer", () => {
      const delta = (delta: object) => sse({ type: "content_block_delta", index: 0, delta }, "content_block_delta")
      assert.deepStrictEqual(
        kinds(Dialects.anthropic, [
          delta({ type: "thinking_delta", thinking: "Let me analyze" }),
          delta({ type: "signature_delta", signature: "EqQBCgIYAhIM" }),
          delta({ type: "text_delta", text: "Hello" }),
          delta({ type: "input_json_delta", partial_json: "{\"city\"" }),
          delta({ type: "citations_delta", citation: {} })
        ]),
        ["reasoning", "reasoning", "answer", "answer", "answer"]
      )
    })

    it("openaiResponses: response.reasoning_* deltas are reasoning; output text and function arguments are answer", () => {
      const event = (type: string) => sse({ type, item_id: "rs_1", output_index: 0, delta: "x" }, type)
      assert.deepStrictEqual(
        kinds(Dialects.openaiResponses, [
          event("response.reasoning_summary_text.delta"),
          event("response.reasoning_text.delta"),
          event("response.output_text.delta"),
          event("response.function_call_arguments.delta")
        ]),
        ["reasoning", "reasoning", "answer", "answer"]
      )
    })

    it("gemini: a frame of thought parts is reasoning; one with any answer part is answer", () => {
      const frame = (parts: ReadonlyArray<object>) => sse({ candidates: [{ content: { role: "model", parts } }] })
      assert.deepStrictEqual(
        kinds(Dialects.gemini, [
          frame([{ text: "**Planning**", thought: true }]),
          frame([{ text: "thinking", thought: true }, { text: "Answer" }]),
          frame([{ functionCall: { name: "f", args: {} } }])
        ]),
        ["reasoning", "answer", "answer"]
      )
    })

    it("ollama: thinking alone is reasoning, in chat and generate; content, tool calls and response are answer", () => {
      const line = (value: object) => encoder.encode(`${JSON.stringify({ model: "qwen3", done: false, ...value })}\n`)
      assert.deepStrictEqual(
        kinds(Dialects.ollama, [
          line({ message: { role: "assistant", content: "", thinking: "Okay, the user" } }),
          line({ response: "", thinking: "hm" }),
          line({ message: { role: "assistant", content: "Hi" } }),
          line({ message: { role: "assistant", content: "", tool_calls: [{ function: { name: "f" } }] } }),
          line({ response: "Hi" })
        ]),
        ["reasoning", "reasoning", "answer", "answer", "answer"]
      )
    })

    it("mcp and a plain sse() dialect have no reasoning unless sse() is told", () => {
      assert.deepStrictEqual(kinds(Dialects.sse(), [sse({ text: "x" })]), ["answer"])
      const thinking = Dialects.sse({ isReasoning: (message) => message.event === "thinking" })
      assert.deepStrictEqual(kinds(thinking, [sse({ text: "x" }, "thinking"), sse({ text: "y" })]), [
        "reasoning",
        "answer"
      ])
    })
  })
})
