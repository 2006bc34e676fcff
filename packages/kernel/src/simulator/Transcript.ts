/**
 * A recorded provider stream as a scenario: its bytes cut into events, played back event by
 * event at a chosen pace, so a client's timeouts can be tested against what a provider really
 * sent (the repository's `fixtures/transcripts` are such recordings).
 *
 * @since 0.1.0
 */
import { millis } from "./internal/fields.js"
import * as Scenario from "./Scenario.js"
import * as Step from "./Step.js"

/**
 * Options of `replay`: the pace and how the bytes are framed.
 *
 * @since 0.1.0
 * @category models
 */
export interface ReplayOptions {
  /** The wait before every event (the first included). Default none. */
  readonly gap?: Step.DurationInput | undefined
  /** The wait before each event, by index; events past the end use `gap`. */
  readonly gaps?: ReadonlyArray<Step.DurationInput> | undefined
  /** `sse` (events end at a blank line) or `ndjson` (one per line). Default: told from the bytes. */
  readonly framing?: "sse" | "ndjson" | undefined
}

// A line ending is CRLF, LF or CR (WHATWG); a lone CR never swallows the LF after it.
const blankLine = /(?:\r\n|\n|\r(?!\n))(?:\r\n|\n|\r(?!\n))/g
const lineEnd = /\r\n|\n|\r(?!\n)/g

const cutAfter = (text: string, pattern: RegExp): Array<string> => {
  const out: Array<string> = []
  let from = 0
  for (const match of text.matchAll(pattern)) {
    const to = match.index + match[0].length
    out.push(text.slice(from, to))
    from = to
  }
  if (from < text.length) out.push(text.slice(from))
  return out
}

const sseStart = /^(?:data|event|id|retry)?:/

/**
 * A recorded body cut into its events, each with its own framing bytes (SSE: up to and including
 * the blank line that dispatches it; NDJSON: one line with its line ending). Concatenated, the
 * events are the bytes given.
 *
 * @since 0.1.0
 * @category constructors
 */
export const events = (transcript: string | Uint8Array, framing?: "sse" | "ndjson"): ReadonlyArray<string> => {
  const text = typeof transcript === "string" ? transcript : new TextDecoder("utf-8", { ignoreBOM: true }).decode(
    transcript
  )
  const kind = framing ?? (sseStart.test(text.trimStart()) ? "sse" : "ndjson")
  return cutAfter(text, kind === "sse" ? blankLine : lineEnd)
}

/**
 * A recorded provider stream played back byte for byte, one event at a time, with `gap` (or
 * `gaps[i]`) before each: `replay(bytes, { gap: "2s" })` replays a transcript at a pace a `chunk`
 * limit can be tested against, and under a test clock takes no real time. Nothing is added: no
 * opening frames, no done. Bytes without the dialect's done end as a truncated answer does.
 *
 * @since 0.1.0
 * @category constructors
 */
export const replay = (transcript: string | Uint8Array, options: ReplayOptions = {}): Scenario.Scenario => {
  const steps = events(transcript, options.framing).flatMap((event, i): Array<Step.Step> => {
    const gap = millis(options.gaps?.[i] ?? options.gap ?? 0)
    return gap === 0 ? [Step.raw(event)] : [{ _tag: "Wait", duration: gap }, Step.raw(event)]
  })
  return Scenario.script([...steps, Step.end], { opening: false })
}
