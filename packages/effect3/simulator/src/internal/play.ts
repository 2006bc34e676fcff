/**
 * Playing a scenario: its steps, paced under the Effect `Clock`, rendered in a dialect's payloads
 * and encoded by that dialect. Shared by the in-process `Simulation` (and so the HTTP simulator)
 * and the in-memory `TestUpstream`, which differ only in the dialect object they speak through
 * and in what a reset does.
 */
import * as StreamEvent from "@streamguard/core-effect3/StreamEvent"
import type { Dialect } from "@streamguard/protocols-effect3/Dialect"
import * as Dialects from "@streamguard/protocols-effect3/Dialects"
import * as Gemini from "@streamguard/protocols-effect3/Gemini"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Random from "effect/Random"
import * as Stream from "effect/Stream"
import type * as Scenario from "../Scenario.js"
import * as Step from "../Step.js"
import * as render from "./render.js"
import * as tokens from "./tokens.js"

type Event = StreamEvent.StreamEvent<unknown>

/** One write: the encoded event and what it meant (`Raw` for replayed bytes). */
export interface Frame {
  readonly bytes: Uint8Array
  readonly event: Event["_tag"] | "Raw"
  /** A piece of an event that is not its last (`slow-drip` writes events in pieces). */
  readonly partial: boolean
}

/** What the played upstream knows about the request it answers. */
export interface Meta {
  /** A simulator dialect by name, or any protocols dialect. */
  readonly dialect: render.SimDialect | Dialect<any>
  /** Gemini without `alt=sse`: the stream is one JSON array. */
  readonly jsonArray?: boolean | undefined
  readonly id: string
  readonly model: string
  readonly includeUsage: boolean
  readonly requestId: string | number | null
  readonly progressToken: string | number | undefined
  readonly inputTokens: number
}

const encoder = new TextEncoder()

/**
 * The renderer and the encoder for one response. Payloads and bytes are made in one place, the
 * dialect's own writers and `encode`; the simulator only chooses what to send.
 */
const voiceOf = (meta: Meta, now: () => number) => {
  const dialect = typeof meta.dialect === "string" ? Dialects.byName[meta.dialect] : meta.dialect
  let first = true
  return {
    renderer: render.make(dialect, { ...meta, now }),
    encode: meta.jsonArray === true ?
      (event: Event) => {
        const text = Gemini.jsonArray.element(event as StreamEvent.StreamEvent<Gemini.GenerateContentResponse>, first)
        if (text !== "") first = false
        return encoder.encode(text)
      } :
      (event: Event) => encoder.encode(dialect.encode(event))
  }
}

type Tokens = Extract<Scenario.Scenario, { readonly chunks: number }>

const tokenList = (scenario: Tokens): ReadonlyArray<string> =>
  scenario.text !== undefined ?
    tokens.tokenize(scenario.text) :
    Array.from({ length: scenario.chunks }, (_, i) => tokens.token(i))

const hugeText = (size: number): string => tokens.corpus.repeat(Math.ceil(size / tokens.corpus.length)).slice(0, size)

/** The content texts a scenario sends, in order. */
export const contentOf = (scenario: Scenario.Scenario): ReadonlyArray<string> => {
  switch (scenario._tag) {
    case "PingOnly":
    case "HttpError":
      return []
    case "HugeEvent":
      return [hugeText(scenario.size)]
    case "Script": {
      let next = 0
      const own = scenario.text === undefined ? undefined : tokens.tokenize(scenario.text)
      const out: Array<string> = []
      for (const step of scenario.steps) {
        if (Step.isTerminal(step)) break
        if (step._tag === "Chunk" && step.payload === undefined) {
          out.push(step.text ?? (own !== undefined ? own[next % own.length] ?? "" : tokens.token(next)))
          next++
        }
      }
      return out
    }
    case "StallAfter":
    case "ErrorMid":
    case "ResetMid":
    case "EndWithoutDone":
      return tokenList(scenario).slice(0, scenario.after)
    default:
      return tokenList(scenario)
  }
}

const paced = (scenario: Tokens, pieces: ReadonlyArray<string>): Stream.Stream<Step.Step> =>
  Stream.suspend(() => {
    // Jitter from a generator seeded by the scenario, so a run repeats exactly.
    const random = Random.make(scenario.seed)
    const gap = Duration.toMillis(scenario.gap)
    const jitter = scenario.jitter === undefined ? gap * 0.6 : Duration.toMillis(scenario.jitter)
    return Stream.fromIterable(pieces).pipe(
      Stream.mapConcatEffect((piece) =>
        Effect.map(
          jitter > 0 ? random.nextRange(-jitter, jitter) : Effect.succeed(0),
          (offset): ReadonlyArray<Step.Step> => {
            const wait = Math.max(0, Math.round(gap + offset))
            return wait > 0 ? [Step.wait(wait), Step.chunk(piece)] : [Step.chunk(piece)]
          }
        )
      )
    )
  })

/** The steps a scenario plays (see `Simulation.steps`). */
export const steps = (scenario: Scenario.Scenario): Stream.Stream<Step.Step> => {
  const content = contentOf(scenario)
  switch (scenario._tag) {
    case "Steady":
    case "SlowDrip":
    case "SlowHeaders":
      return Stream.concat(paced(scenario, content), Stream.make(Step.done))
    case "Think":
      return Stream.make(Step.wait(scenario.silence)).pipe(
        Stream.concat(paced(scenario, content)),
        Stream.concat(Stream.make(Step.done))
      )
    case "StallAfter":
      return Stream.concat(paced(scenario, content), Stream.make(Step.stallForever))
    case "ErrorMid":
      return Stream.concat(
        paced(scenario, content),
        Stream.make(Step.error({
          ...(scenario.errorType === undefined ? {} : { errorType: scenario.errorType }),
          ...(scenario.message === undefined ? {} : { message: scenario.message })
        }))
      )
    case "ResetMid":
      return Stream.concat(paced(scenario, content), Stream.make(Step.reset))
    case "EndWithoutDone":
      return Stream.concat(paced(scenario, content), Stream.make(Step.end))
    case "PingOnly":
      return Stream.make(Step.wait(scenario.interval), Step.keepalive).pipe(Stream.forever)
    case "HugeEvent":
      return Stream.make(Step.chunk(content[0] ?? ""), Step.done)
    case "HttpError":
      return Stream.empty
    case "Script": {
      let next = 0
      return Stream.fromIterable(scenario.steps).pipe(
        Stream.map((step) =>
          step._tag === "Chunk" && step.text === undefined && step.payload === undefined ?
            Step.chunk(content[next++] ?? "") :
            step
        )
      )
    }
  }
}

const defaultKeepalive = (scenario: Scenario.Scenario, dialect: string): Option.Option<Duration.Duration> => {
  if ("keepalive" in scenario && scenario.keepalive !== undefined) {
    return scenario.keepalive === "none" ? Option.none() : Option.some(scenario.keepalive)
  }
  // Anthropic pings about every 15 s while a response is open; a stalled upstream and a
  // script stay exactly as written.
  const pings = dialect === "anthropic" && scenario._tag !== "StallAfter" && scenario._tag !== "Script"
  return pings ? Option.some(Duration.seconds(15)) : Option.none()
}

/** What playing writes: events for the dialect to encode, or bytes as they are (`Raw`). */
type Played =
  | { readonly _tag: "Event"; readonly event: Event }
  | { readonly _tag: "Raw"; readonly bytes: Uint8Array }

const asEvent = (event: Event): Played => ({ _tag: "Event", event })

const play = <E>(
  scenario: Scenario.Scenario,
  meta: Meta,
  onReset: Effect.Effect<never, E>
): Effect.Effect<{
  readonly renderer: render.Renderer
  readonly encode: (event: Event) => Uint8Array
  readonly played: Stream.Stream<Played, E>
}> =>
  Effect.map(Effect.clock, (clock) => {
    const { encode, renderer } = voiceOf(meta, () => clock.unsafeCurrentTimeMillis())
    const dialectName = typeof meta.dialect === "string" ? meta.dialect : meta.dialect.name
    const every = defaultKeepalive(scenario, dialectName)
    const events = (make: () => ReadonlyArray<Event>): Stream.Stream<Played> =>
      Stream.suspend(() => Stream.fromIterable(make().map(asEvent)))

    const wait = (duration: Duration.Duration): Stream.Stream<Played> =>
      Option.match(every, {
        onNone: () => Stream.execute(Effect.sleep(duration)),
        onSome: (interval) => {
          const total = Duration.toMillis(duration)
          const step = Duration.toMillis(interval)
          // A keepalive at each full interval strictly inside the wait.
          const count = step > 0 ? Math.max(0, Math.ceil(total / step) - 1) : 0
          return Stream.fromIterable(Array.from({ length: count })).pipe(
            Stream.mapConcatEffect(() =>
              Effect.zipRight(Effect.sleep(interval), Effect.sync(() => renderer.keepalive().map(asEvent)))
            ),
            Stream.concat(Stream.execute(Effect.sleep(Duration.millis(total - count * step))))
          )
        }
      })

    const playStep = (step: Step.Step): Stream.Stream<Played, E> => {
      switch (step._tag) {
        case "Chunk":
          return step.payload !== undefined ?
            Stream.succeed(asEvent(StreamEvent.Chunk({ value: step.payload, bytes: 0 }))) :
            events(() => renderer.chunk(step.text ?? ""))
        case "Keepalive":
          return events(renderer.keepalive)
        case "Wait":
          return wait(step.duration)
        case "Done":
          return events(renderer.done)
        case "Error":
          return step.payload !== undefined ?
            Stream.succeed(asEvent(StreamEvent.ErrorSignal({
              payload: step.payload,
              errorType: step.errorType ?? "scripted",
              message: step.message ?? "scripted error",
              bytes: 0
            }))) :
            events(() => renderer.error(step.errorType, step.message))
        case "Reset":
          return Stream.fromEffect(onReset)
        case "StallForever":
          return Stream.never
        case "End":
          return Stream.empty
        case "Raw":
          return Stream.succeed<Played>({ _tag: "Raw", bytes: encoder.encode(step.text) })
      }
    }

    const opening = scenario._tag === "Script" && scenario.opening === false ? Stream.empty : events(renderer.opening)
    const played = Stream.concat(
      opening,
      steps(scenario).pipe(Stream.takeUntil(Step.isTerminal), Stream.flatMap(playStep))
    )
    return { renderer, encode, played }
  })

/** The scenario's response body as frames (see `Simulation.frames`). */
export const frames = <E>(
  scenario: Scenario.Scenario,
  meta: Meta,
  onReset: Effect.Effect<never, E>
): Stream.Stream<Frame, E> =>
  Stream.unwrap(Effect.map(play(scenario, meta, onReset), ({ encode, played }) => {
    const encoded = Stream.filterMap(played, (out) => {
      if (out._tag === "Raw") return Option.some<Frame>({ bytes: out.bytes, event: "Raw", partial: false })
      const bytes = encode(out.event)
      // NDJSON has no keepalive: its encoder gives nothing to write.
      return bytes.length === 0 ? Option.none() : Option.some<Frame>({ bytes, event: out.event._tag, partial: false })
    })
    // The JSON-array form ends with its closing bracket once the body ends cleanly.
    const closed = meta.jsonArray === true ?
      Stream.concat(
        encoded,
        Stream.succeed<Frame>({ bytes: encoder.encode(Gemini.jsonArray.close), event: "Raw", partial: false })
      ) :
      encoded
    return scenario._tag === "SlowDrip" ? drip(closed, scenario.bytes, scenario.every) : closed
  }))

/** A non-streaming answer (see `Simulation.Collected`). */
export interface Collected {
  readonly end: "Done" | "ErrorSignal" | "End"
  readonly body: unknown
  readonly chunks: number
}

/** Plays the scenario with its waits and faults and gives the non-streaming body. */
export const collect = <E>(
  scenario: Scenario.Scenario,
  meta: Meta,
  onReset: Effect.Effect<never, E>
): Effect.Effect<Collected, E> =>
  Effect.flatMap(play(scenario, meta, onReset), ({ played, renderer }) =>
    Stream.runFold(
      played,
      { end: "End" as Collected["end"], chunks: 0, error: undefined as unknown },
      (state, out) => {
        if (out._tag === "Raw") return state
        switch (out.event._tag) {
          case "Chunk":
            return { ...state, chunks: state.chunks + 1 }
          case "Done":
            return { ...state, end: "Done" as const }
          case "ErrorSignal":
            return { ...state, end: "ErrorSignal" as const, error: out.event.payload }
          default:
            return state
        }
      }
    ).pipe(Effect.map((state): Collected => ({
      end: state.end,
      chunks: state.chunks,
      body: state.end === "ErrorSignal" ? state.error : renderer.json()
    }))))

const drip = <E>(
  frames: Stream.Stream<Frame, E>,
  size: number,
  every: Duration.Duration
): Stream.Stream<Frame, E> =>
  Stream.flatMap(frames, (frame) => {
    const step = Math.max(1, size)
    const pieces: Array<Frame> = []
    for (let i = 0; i < frame.bytes.length; i += step) {
      pieces.push({
        bytes: frame.bytes.subarray(i, i + step),
        event: frame.event,
        partial: i + step < frame.bytes.length
      })
    }
    return Stream.fromIterable(pieces).pipe(Stream.tap(() => Effect.sleep(every)))
  })
