/**
 * Playing a scenario: its steps in order, each turned into what goes out (events in the dialect's
 * payloads, or raw bytes) and the waits between them, as a lazy sequence. Nothing here keeps
 * time: whoever reads the sequence sleeps where it says, on its own clock (a front's Effect
 * `Clock`, the server's timers), and asks for the next item when the sleep is over.
 */
import { unsafeUniformIntDistribution, xoroshiro128plus } from "pure-rand"
import type * as StreamEvent from "../../StreamEvent.js"
import * as Events from "../../StreamEvent.js"
import type * as Scenario from "../Scenario.js"
import * as Step from "../Step.js"
import type * as render from "./render.js"
import * as tokens from "./tokens.js"

type Event = StreamEvent.StreamEvent<unknown>

/** One item of a played scenario. */
export type Item =
  /** Events for the dialect to encode, in order. */
  | { readonly _tag: "Events"; readonly events: ReadonlyArray<Event> }
  /** Bytes written as they are (a `Raw` step). */
  | { readonly _tag: "Raw"; readonly text: string }
  /** Nothing for this many milliseconds (more than 0). */
  | { readonly _tag: "Sleep"; readonly millis: number }
  /** The connection is reset: nothing follows. */
  | { readonly _tag: "Reset" }
  /** The connection stays open and silent: nothing follows. */
  | { readonly _tag: "Stall" }

type Tokens = Extract<Scenario.Scenario, { readonly chunks: number }>

const tokenList = (scenario: Tokens): ReadonlyArray<string> =>
  scenario.text !== undefined ?
    tokens.tokenize(scenario.text) :
    Array.from({ length: scenario.chunks }, (_, i) => tokens.token(i))

const hugeText = (size: number): string => tokens.corpus.repeat(Math.ceil(size / tokens.corpus.length)).slice(0, size)

/** Whether a step is a content chunk the scenario gives its text (not a payload of its own). */
const isContent = (step: Step.Step): boolean => step._tag === "Chunk" && step.payload === undefined

/**
 * The texts of a script's content chunks, in order, up to its first terminal step: a chunk's own
 * text, else the script's `text` token at that position, else the built-in token there.
 */
const scriptContent = (scenario: Scenario.Script): ReadonlyArray<string> => {
  const own = scenario.text === undefined ? undefined : tokens.tokenize(scenario.text)
  const out: Array<string> = []
  for (const step of scenario.steps) {
    if (Step.isTerminal(step)) break
    if (step._tag === "Chunk" && isContent(step)) {
      const at = out.length
      out.push(step.text ?? (own !== undefined ? own[at % own.length] ?? "" : tokens.token(at)))
    }
  }
  return out
}

/** The content texts a scenario sends, in order. */
export const contentOf = (scenario: Scenario.Scenario): ReadonlyArray<string> => {
  switch (scenario._tag) {
    case "PingOnly":
    case "HttpError":
      return []
    case "HugeEvent":
      return [hugeText(scenario.size)]
    case "Script":
      return scriptContent(scenario)
    case "StallAfter":
    case "ErrorMid":
    case "ResetMid":
    case "EndWithoutDone":
      return tokenList(scenario).slice(0, scenario.after)
    default:
      return tokenList(scenario)
  }
}

/**
 * The tokens at the scenario's pace: a wait of `gap` +/- `jitter` before each. The jitter comes
 * from a generator seeded by the scenario, made afresh for each play, so a run repeats exactly.
 */
function* paced(scenario: Tokens, pieces: ReadonlyArray<string>): Generator<Step.Step> {
  const random = xoroshiro128plus(scenario.seed)
  const gap = scenario.gap
  const jitter = scenario.jitter ?? gap * 0.6
  for (const piece of pieces) {
    // A draw in [-jitter, jitter), in millionths of a millisecond.
    const offset = jitter > 0 ? unsafeUniformIntDistribution(-1e6, 1e6 - 1, random) / 1e6 * jitter : 0
    const wait = Math.max(0, Math.round(gap + offset))
    if (wait > 0) yield { _tag: "Wait", duration: wait }
    yield Step.chunk(piece)
  }
}

/** The steps a scenario plays, each content chunk with its text (see `Simulation.steps`). */
export function* steps(scenario: Scenario.Scenario): Generator<Step.Step, void> {
  const content = contentOf(scenario)
  switch (scenario._tag) {
    case "Steady":
    case "SlowDrip":
    case "SlowHeaders":
      yield* paced(scenario, content)
      return yield Step.done
    case "Think":
      yield { _tag: "Wait", duration: scenario.silence }
      yield* paced(scenario, content)
      return yield Step.done
    case "StallAfter":
      yield* paced(scenario, content)
      return yield Step.stallForever
    case "ErrorMid":
      yield* paced(scenario, content)
      return yield Step.error({
        ...(scenario.errorType === undefined ? {} : { errorType: scenario.errorType }),
        ...(scenario.message === undefined ? {} : { message: scenario.message })
      })
    case "ResetMid":
      yield* paced(scenario, content)
      return yield Step.reset
    case "EndWithoutDone":
      yield* paced(scenario, content)
      return yield Step.end
    case "PingOnly":
      for (;;) {
        yield { _tag: "Wait", duration: scenario.interval }
        yield Step.keepalive
      }
    case "HugeEvent":
      yield Step.chunk(content[0] ?? "")
      return yield Step.done
    case "HttpError":
      return
    case "Script": {
      let next = 0
      for (const step of scenario.steps) {
        if (step._tag === "Chunk" && isContent(step)) {
          const text = content[next++]
          yield step.text === undefined ? Step.chunk(text ?? "") : step
        } else yield step
      }
    }
  }
}

/** The interval of keepalives during waits: the scenario's own, else Anthropic's 15 s pings. */
const keepaliveEvery = (scenario: Scenario.Scenario, dialect: string): number | undefined => {
  if ("keepalive" in scenario && scenario.keepalive !== undefined) {
    return scenario.keepalive === "none" ? undefined : scenario.keepalive
  }
  // Anthropic pings about every 15 s while a response is open; a stalled upstream and a
  // script stay exactly as written.
  const pings = dialect === "anthropic" && scenario._tag !== "StallAfter" && scenario._tag !== "Script"
  return pings ? 15_000 : undefined
}

const events = (list: ReadonlyArray<Event>): Item => ({ _tag: "Events", events: list })

/** A wait: with keepalives, one at each full interval strictly inside it. */
function* wait(total: number, every: number | undefined, renderer: render.Renderer): Generator<Item> {
  let left = total
  if (every !== undefined && every > 0) {
    for (let sent = every; sent < total; sent += every) {
      yield { _tag: "Sleep", millis: every }
      yield events(renderer.keepalive())
      left -= every
    }
  }
  if (left > 0) yield { _tag: "Sleep", millis: left }
}

const playStep = (step: Step.Step, every: number | undefined, renderer: render.Renderer): Iterable<Item> => {
  switch (step._tag) {
    case "Chunk":
      return [
        step.payload !== undefined ?
          events([Events.Chunk({ value: step.payload, bytes: 0 })]) :
          events(renderer.chunk(step.text ?? ""))
      ]
    case "Keepalive":
      return [events(renderer.keepalive())]
    case "Wait":
      return wait(step.duration, every, renderer)
    case "Done":
      return [events(renderer.done())]
    case "Error":
      return [
        step.payload !== undefined ?
          events([Events.ErrorSignal({
            payload: step.payload,
            errorType: step.errorType ?? "scripted",
            message: step.message ?? "scripted error",
            bytes: 0
          })]) :
          events(renderer.error(step.errorType, step.message))
      ]
    case "Reset":
      return [{ _tag: "Reset" }]
    case "StallForever":
      return [{ _tag: "Stall" }]
    case "End":
      return []
    case "Raw":
      return [{ _tag: "Raw", text: step.text }]
  }
}

/**
 * The scenario played in `dialect`: the dialect's opening (unless a script leaves it out), then
 * each step, up to and including the first terminal step. Long waits carry keepalives when the
 * dialect sends them.
 */
export function* play(scenario: Scenario.Scenario, dialect: string, renderer: render.Renderer): Generator<Item, void> {
  if (!(scenario._tag === "Script" && scenario.opening === false)) {
    const opening = renderer.opening()
    if (opening.length > 0) yield events(opening)
  }
  const every = keepaliveEvery(scenario, dialect)
  for (const step of steps(scenario)) {
    yield* playStep(step, every, renderer)
    if (Step.isTerminal(step)) return
  }
}
