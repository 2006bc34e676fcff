/**
 * What a played scenario writes, and when: a timeline read one beat at a time. A beat is
 * something to emit now, a sleep, or the end (the body ends, the connection resets, or it stalls
 * forever). A timeline keeps no time: its driver sleeps where it says and asks for the next beat
 * when the sleep is over. `drive` plays one on a kernel `Clock` (the server does, on the clock it
 * was given, so a line's test clock moves it); each Effect line's `Simulation` pulls the beats
 * itself, sleeping on its Effect `Clock`.
 *
 * @since 0.1.0
 */
import type { Clock } from "../Clock.js"
import * as Dialects from "../protocols/Dialects.js"
import * as Gemini from "../protocols/Gemini.js"
import type * as StreamEvent from "../StreamEvent.js"
import { play as playScenario } from "./internal/play.js"
import * as render from "./internal/render.js"
import { sleep } from "./internal/sleep.js"
import type * as Scenario from "./Scenario.js"
import type { Collected, Frame, Request } from "./Simulation.js"

/**
 * One beat of a timeline.
 *
 * - `Emit`: these values, now (one or more), together (a step's frames go out as one write).
 * - `Sleep`: nothing for `millis` milliseconds (more than 0), then the next beat.
 * - `Reset`: the connection is reset; the timeline is over.
 * - `Stall`: the connection stays open and silent forever; the timeline is over.
 * - `End`: the body ends cleanly, with the timeline's result.
 *
 * @since 0.1.0
 * @category models
 */
export type Beat<A, R> =
  | { readonly _tag: "Emit"; readonly values: ReadonlyArray<A> }
  | { readonly _tag: "Sleep"; readonly millis: number }
  | { readonly _tag: "Reset" }
  | { readonly _tag: "Stall" }
  | { readonly _tag: "End"; readonly value: R }

/**
 * A timeline: `next()` gives the next beat; after `Reset`, `Stall` or `End` it is not called
 * again. Each call may read the clock (`now`), so a driver calls it when the beat is due.
 *
 * @since 0.1.0
 * @category models
 */
export interface Timeline<A, R> {
  readonly next: () => Beat<A, R>
}

/**
 * What a timeline needs from its driver: the time now, in epoch milliseconds (the payloads'
 * `created`, Ollama's `created_at`).
 *
 * @since 0.1.0
 * @category models
 */
export interface Options {
  readonly now: () => number
}

type Event = StreamEvent.StreamEvent<unknown>

const encoder = new TextEncoder()

const renderFor = (scenario: Scenario.Scenario, request: Request, options: Options) => {
  const dialect = typeof request.dialect === "string" ? Dialects.byName[request.dialect] : request.dialect
  const renderer = render.make(dialect, {
    id: request.id ?? "sim",
    model: request.model ?? "sim-model",
    includeUsage: request.includeUsage ?? false,
    requestId: request.requestId ?? null,
    progressToken: request.progressToken,
    inputTokens: request.inputTokens ?? 12,
    now: options.now
  })
  return { dialect, renderer, items: playScenario(scenario, dialect.name, renderer) }
}

/** An encoder for one response: the dialect's `encode`, or Gemini's JSON-array elements. */
const encoderFor = (request: Request, encode: (event: Event) => string): (event: Event) => string => {
  if (request.jsonArray !== true) return encode
  let first = true
  return (event) => {
    const text = Gemini.jsonArray.element(event as StreamEvent.StreamEvent<Gemini.GenerateContentResponse>, first)
    if (text !== "") first = false
    return text
  }
}

/** A timeline's beats but its end (the generator's return is the end). */
type Flow<A> = Exclude<Beat<A, never>, { readonly _tag: "End" }>

const frame = (bytes: Uint8Array, event: Frame["event"]): Frame => ({ bytes, event, partial: false })

/** Each played item's frames as one emit (a step's frames go out together, as a provider writes them). */
function* framesOf(scenario: Scenario.Scenario, request: Request, options: Options): Generator<Flow<Frame>, void> {
  const { dialect, items } = renderFor(scenario, request, options)
  const encode = encoderFor(request, dialect.encode)
  for (const item of items) {
    if (item._tag === "Events") {
      const values: Array<Frame> = []
      for (const event of item.events) {
        const text = encode(event)
        // NDJSON has no keepalive: its encoder gives nothing to write.
        if (text !== "") values.push(frame(encoder.encode(text), event._tag))
      }
      if (values.length > 0) yield { _tag: "Emit", values }
    } else if (item._tag === "Raw") yield { _tag: "Emit", values: [frame(encoder.encode(item.text), "Raw")] }
    else {
      yield item
      if (item._tag !== "Sleep") return
    }
  }
  // The JSON-array form ends with its closing bracket once the body ends cleanly.
  if (request.jsonArray === true) yield { _tag: "Emit", values: [frame(encoder.encode(Gemini.jsonArray.close), "Raw")] }
}

/** Each frame in pieces of `size` bytes, each piece after `every` milliseconds. */
function* drip(flow: Iterable<Flow<Frame>>, size: number, every: number): Generator<Flow<Frame>, void> {
  const step = Math.max(1, size)
  for (const beat of flow) {
    if (beat._tag !== "Emit") {
      yield beat
      continue
    }
    for (const whole of beat.values) {
      for (let i = 0; i < whole.bytes.length; i += step) {
        if (every > 0) yield { _tag: "Sleep", millis: every }
        const piece = {
          bytes: whole.bytes.subarray(i, i + step),
          event: whole.event,
          partial: i + step < whole.bytes.length
        }
        yield { _tag: "Emit", values: [piece] }
      }
    }
  }
}

/** A generator of beats as a timeline: its return is the `End`. */
const timelineOf = <A>(flow: Iterator<Flow<A>, void>): Timeline<A, void> => ({
  next: () => {
    const result = flow.next()
    return result.done === true ? { _tag: "End", value: undefined } : result.value
  }
})

/**
 * The scenario's response body as frames: the dialect's opening, then each step, stopping after
 * the first terminal step. Long waits carry keepalives when the dialect sends them (Anthropic
 * pings every 15 s by default; the scenario's `keepalive` changes that).
 *
 * @since 0.1.0
 * @category constructors
 */
export const frames = (scenario: Scenario.Scenario, request: Request, options: Options): Timeline<Frame, void> => {
  const flow = framesOf(scenario, request, options)
  return timelineOf(scenario._tag === "SlowDrip" ? drip(flow, scenario.bytes, scenario.every) : flow)
}

/**
 * The scenario played with all its waits and faults, writing nothing, to the non-streaming body
 * (`stream: false` requests) at its `End`. A stall never ends.
 *
 * @since 0.1.0
 * @category constructors
 */
export const collect = (
  scenario: Scenario.Scenario,
  request: Request,
  options: Options
): Timeline<never, Collected> => {
  const { items, renderer } = renderFor(scenario, request, options)
  let end: Collected["end"] = "End"
  let chunks = 0
  let error: unknown = undefined
  return {
    next: () => {
      for (;;) {
        const result = items.next()
        if (result.done === true) {
          return { _tag: "End", value: { end, chunks, body: end === "ErrorSignal" ? error : renderer.json() } }
        }
        const item = result.value
        if (item._tag === "Raw") continue
        if (item._tag !== "Events") return item
        for (const event of item.events) {
          if (event._tag === "Chunk") chunks++
          else if (event._tag === "Done") end = "Done"
          else if (event._tag === "ErrorSignal") {
            end = "ErrorSignal"
            error = event.payload
          }
        }
      }
    }
  }
}

/**
 * Where `drive` sends a timeline's beats.
 *
 * @since 0.1.0
 * @category models
 */
export interface Sink<A, R> {
  /**
   * Takes the values of an `Emit`. `true`: the next beat follows at once; `false`: the sink is
   * full, and the timeline goes on when the sink calls `resume`, once, after `emit` returned (a
   * `resume` after the play stopped does nothing).
   */
  readonly emit: (values: ReadonlyArray<A>, resume: () => void) => boolean
  /** The timeline reset the connection; nothing follows. */
  readonly reset: () => void
  /** The timeline ended with its value; nothing follows. */
  readonly end: (value: R) => void
}

/**
 * Plays `timeline` on `clock`: each `Sleep` is a sleep on it, each `Emit` goes to the sink (which
 * may hold the timeline back until it drains), a `Stall` waits for the returned function, which
 * stops the play at once: no beat is read and nothing reaches the sink after it.
 *
 * @since 0.1.0
 * @category combinators
 */
export const drive = <A, R>(timeline: Timeline<A, R>, clock: Clock, sink: Sink<A, R>): () => void => {
  let stopped = false
  let cancel: (() => void) | undefined
  const resume = (): void => {
    cancel = undefined
    if (!stopped) step()
  }
  const step = (): void => {
    while (!stopped) {
      const beat = timeline.next()
      switch (beat._tag) {
        case "Emit":
          if (sink.emit(beat.values, resume)) continue
          return
        case "Sleep":
          cancel = sleep(clock, beat.millis, resume)
          return
        case "Reset":
          return sink.reset()
        case "Stall":
          return
        case "End":
          return sink.end(beat.value)
      }
    }
  }
  step()
  return () => {
    stopped = true
    cancel?.()
    cancel = undefined
  }
}
