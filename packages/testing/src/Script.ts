/**
 * What an in-memory upstream (`TestUpstream`) plays for one request: a list of `Step`s, or any
 * `Scenario` the simulator knows. Builders for the shapes tests need most, and the replay of a
 * recorded provider stream at a chosen pace.
 *
 * @since 0.1.0
 */
import * as Duration from "effect/Duration"
import * as Scenario from "./Scenario.js"
import * as Step from "./Step.js"

/**
 * Steps (played exactly as written: no opening keepalives, no jitter) or a `Scenario`.
 *
 * @since 0.1.0
 * @category models
 */
export type Script = ReadonlyArray<Step.Step> | Scenario.Scenario

/**
 * The scenario a script plays.
 *
 * @since 0.1.0
 * @category conversions
 */
export const toScenario = (script: Script): Scenario.Scenario => isSteps(script) ? Scenario.script(script) : script

const isSteps = (script: Script): script is ReadonlyArray<Step.Step> => Array.isArray(script)

const paced = (n: number, gap: Duration.DurationInput): Array<Step.Step> => {
  const wait = Duration.decode(gap)
  return Array.from({ length: n }).flatMap(() =>
    Duration.isZero(wait) ? [Step.chunk()] : [Step.wait(wait), Step.chunk()]
  )
}

/**
 * `n` content chunks, one every `gap` (the first after one `gap`), then done right after the last:
 * `steady(3, "1 second")` sends chunks at 1, 2 and 3 s and ends at 3 s.
 *
 * @since 0.1.0
 * @category constructors
 */
export const steady = (n: number, gap: Duration.DurationInput): Script => [...paced(n, gap), Step.done]

/**
 * Silence for `think` (a reasoning model, a tool call: the stream is open and says nothing), then
 * `steady(n, gap)`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const thinkThen = (think: Duration.DurationInput, n: number, gap: Duration.DurationInput): Script => [
  Step.wait(think),
  ...paced(n, gap),
  Step.done
]

/**
 * `n` content chunks (one every `gap`, default at once), then silence with the connection open,
 * forever: the zombie a `chunk` limit exists for.
 *
 * @since 0.1.0
 * @category constructors
 */
export const stallAfter = (n: number, gap: Duration.DurationInput = Duration.zero): Script => [
  ...paced(n, gap),
  Step.stallForever
]

/**
 * Only keepalives, one every `every` (the first after `every`), forever: alive but no progress.
 * In NDJSON dialects (Ollama), which have no keepalive, this is plain silence.
 *
 * @since 0.1.0
 * @category constructors
 */
export const pingOnly = (every: Duration.DurationInput): Script =>
  Scenario.pingOnly({ interval: Duration.toMillis(Duration.decode(every)) })

/**
 * Options of `replay`: the pace and how the bytes are framed.
 *
 * @since 0.1.0
 * @category models
 */
export interface ReplayOptions {
  /** The wait before every event (the first included). Default none. */
  readonly gap?: Duration.DurationInput | undefined
  /** The wait before each event, by index; events past the end use `gap`. */
  readonly gaps?: ReadonlyArray<Duration.DurationInput> | undefined
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
 * `gaps[i]`) before each: `replay(bytes, { gap: "2 seconds" })` replays a transcript at a pace a
 * `chunk` limit can be tested against, and under `TestClock` takes no real time. Nothing is added:
 * no opening frames, no done. Bytes without the dialect's done end as a truncated answer does.
 *
 * @since 0.1.0
 * @category constructors
 */
export const replay = (transcript: string | Uint8Array, options: ReplayOptions = {}): Script => {
  const steps = events(transcript, options.framing).flatMap((event, i): Array<Step.Step> => {
    const gap = Duration.decode(options.gaps?.[i] ?? options.gap ?? Duration.zero)
    return Duration.isZero(gap) ? [Step.raw(event)] : [Step.wait(gap), Step.raw(event)]
  })
  return Scenario.script([...steps, Step.end], { opening: false })
}
