/**
 * A scenario played as bytes, without a server: what `UpstreamSimulator` writes to a socket,
 * available in-process so tests can run it under `TestClock` (every wait is an Effect sleep).
 *
 * @since 0.1.0
 */
import type * as StreamEvent from "@streamguard/core/StreamEvent"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Random from "effect/Random"
import * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
import * as render from "./internal/render.js"
import * as tokens from "./internal/tokens.js"
import * as wire from "./internal/wire.js"
import type * as Scenario from "./Scenario.js"
import * as Step from "./Step.js"

/**
 * The dialects the simulator plays (the shared names of ARCHITECTURE.md).
 *
 * @since 0.1.0
 * @category models
 */
export type SimDialect = render.SimDialect

/**
 * What the simulated provider knows about the request it answers.
 *
 * @since 0.1.0
 * @category models
 */
export interface Request {
  readonly dialect: SimDialect
  /** Used to make the provider's ids (`chatcmpl-<id>`, `msg_<id>`). Default `sim`. */
  readonly id?: string | undefined
  /** Echoed in payloads. Default `sim-model`. */
  readonly model?: string | undefined
  /** OpenAI Chat: `stream_options.include_usage`, a last chunk with `usage` before `[DONE]`. */
  readonly includeUsage?: boolean | undefined
  /** MCP: the JSON-RPC id to answer. */
  readonly rpcId?: string | number | null | undefined
  /** MCP: the request's `_meta.progressToken`; without it, tokens go out as log notifications. */
  readonly progressToken?: string | number | undefined
  /** Reported as input/prompt tokens in usage. Default 12. */
  readonly inputTokens?: number | undefined
}

/**
 * A `Reset` step played in-process, where there is no socket to destroy.
 *
 * @since 0.1.0
 * @category errors
 */
export class SimulatedReset extends Schema.TaggedError<SimulatedReset>("@streamguard/testing/SimulatedReset")(
  "SimulatedReset",
  {}
) {
  /** @since 0.1.0 */
  override get message(): string {
    return "the scenario reset the connection"
  }
}

/**
 * One write: the encoded event and what it meant.
 *
 * @since 0.1.0
 * @category models
 */
export interface Frame {
  readonly bytes: Uint8Array
  readonly event: StreamEvent.StreamEvent<unknown>["_tag"]
  /** A piece of an event that is not its last (`slow-drip` writes events in pieces). */
  readonly partial: boolean
}

/**
 * How the response starts: its status, and when its headers go out.
 *
 * @since 0.1.0
 * @category models
 */
export interface Plan {
  readonly status: number
  /** Seconds, for a `retry-after` header. */
  readonly retryAfter: Option.Option<number>
  /** `now`, after a delay, or `never` (the request hangs until the client gives up). */
  readonly headers: "now" | "never" | Duration.Duration
}

/**
 * @since 0.1.0
 * @category constructors
 */
export const plan = (scenario: Scenario.Scenario): Plan => {
  switch (scenario._tag) {
    case "HttpError":
      return {
        status: scenario.status,
        retryAfter: scenario.retryAfter !== undefined ?
          Option.some(scenario.retryAfter) :
          scenario.status === 429 || scenario.status === 503 ?
          Option.some(1) :
          Option.none(),
        headers: "now"
      }
    case "SlowHeaders":
      return { status: 200, retryAfter: Option.none(), headers: scenario.delay }
    default:
      return { status: 200, retryAfter: Option.none(), headers: "now" }
  }
}

type Tokens = Extract<Scenario.Scenario, { readonly chunks: number }>

const tokenList = (scenario: Tokens): ReadonlyArray<string> =>
  scenario.text !== undefined ?
    tokens.tokenize(scenario.text) :
    Array.from({ length: scenario.chunks }, (_, i) => tokens.token(i))

const contentOf = (scenario: Scenario.Scenario): ReadonlyArray<string> => {
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
        if (step._tag === "Chunk") {
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

const hugeText = (size: number): string => tokens.corpus.repeat(Math.ceil(size / tokens.corpus.length)).slice(0, size)

/**
 * The content text the scenario sends, token by token, concatenated: what a client should
 * read from its content chunks.
 *
 * @since 0.1.0
 * @category getters
 */
export const text = (scenario: Scenario.Scenario): string => contentOf(scenario).join("")

/**
 * How many content chunks the scenario sends (an endless `ping-only` sends none).
 *
 * @since 0.1.0
 * @category getters
 */
export const chunkCount = (scenario: Scenario.Scenario): number => contentOf(scenario).length

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

/**
 * The steps a scenario plays. Every content step carries its text; endless scenarios
 * (`ping-only`) give an endless stream.
 *
 * @since 0.1.0
 * @category constructors
 */
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
          step._tag === "Chunk" && step.text === undefined ? Step.chunk(content[next++] ?? "") : step
        )
      )
    }
  }
}

const defaultKeepalive = (scenario: Scenario.Scenario, dialect: SimDialect): Option.Option<Duration.Duration> => {
  if ("keepalive" in scenario && scenario.keepalive !== undefined) {
    return scenario.keepalive === "none" ? Option.none() : Option.some(scenario.keepalive)
  }
  // Anthropic pings about every 15 s while a response is open; a stalled upstream and a
  // script stay exactly as written.
  const pings = dialect === "anthropic" && scenario._tag !== "StallAfter" && scenario._tag !== "Script"
  return pings ? Option.some(Duration.seconds(15)) : Option.none()
}

/**
 * @since 0.1.0
 * @category models
 */
export interface PlayOptions {
  /**
   * What a `Reset` step does. In-process (the default) the stream fails with
   * `SimulatedReset`; the server destroys the socket.
   */
  readonly onReset?: Effect.Effect<never, SimulatedReset> | undefined
}

const play = (
  scenario: Scenario.Scenario,
  request: Request,
  options: PlayOptions
): Effect.Effect<{
  readonly renderer: render.Renderer
  readonly events: Stream.Stream<StreamEvent.StreamEvent<unknown>, SimulatedReset>
}> =>
  Effect.map(Effect.clock, (clock) => {
    const renderer = render.make(request.dialect, {
      id: request.id ?? "sim",
      model: request.model ?? "sim-model",
      includeUsage: request.includeUsage ?? false,
      rpcId: request.rpcId ?? null,
      progressToken: request.progressToken,
      inputTokens: request.inputTokens ?? 12,
      now: () => clock.unsafeCurrentTimeMillis()
    })
    const every = defaultKeepalive(scenario, request.dialect)
    const onReset = options.onReset ?? Effect.fail(new SimulatedReset())

    const wait = (duration: Duration.Duration): Stream.Stream<StreamEvent.StreamEvent<unknown>> =>
      Option.match(every, {
        onNone: () => Stream.execute(Effect.sleep(duration)),
        onSome: (interval) => {
          const total = Duration.toMillis(duration)
          const step = Duration.toMillis(interval)
          // A keepalive at each full interval strictly inside the wait.
          const count = step > 0 ? Math.max(0, Math.ceil(total / step) - 1) : 0
          return Stream.fromIterable(Array.from({ length: count })).pipe(
            Stream.mapConcatEffect(() => Effect.zipRight(Effect.sleep(interval), Effect.sync(renderer.keepalive))),
            Stream.concat(Stream.execute(Effect.sleep(Duration.millis(total - count * step))))
          )
        }
      })

    const playStep = (step: Step.Step): Stream.Stream<StreamEvent.StreamEvent<unknown>, SimulatedReset> => {
      switch (step._tag) {
        case "Chunk":
          return Stream.suspend(() => Stream.fromIterable(renderer.chunk(step.text ?? "")))
        case "Keepalive":
          return Stream.suspend(() => Stream.fromIterable(renderer.keepalive()))
        case "Wait":
          return wait(step.duration)
        case "Done":
          return Stream.suspend(() => Stream.fromIterable(renderer.done()))
        case "Error":
          return Stream.suspend(() => Stream.fromIterable(renderer.error(step.errorType, step.message)))
        case "Reset":
          return Stream.fromEffect(onReset)
        case "StallForever":
          return Stream.never
        case "End":
          return Stream.empty
      }
    }

    const events = Stream.suspend(() => Stream.fromIterable(renderer.opening())).pipe(
      Stream.concat(steps(scenario).pipe(Stream.takeUntil(Step.isTerminal), Stream.flatMap(playStep)))
    )
    return { renderer, events }
  })

/**
 * The scenario's response body as frames: the dialect's opening, then each step, stopping
 * after the first terminal step. Waits are Effect sleeps: under `TestClock` they pass when the
 * test adjusts the clock. Long waits carry keepalives when the dialect sends them (Anthropic
 * pings every 15 s by default; set the scenario's `keepalive` to change that).
 *
 * @since 0.1.0
 * @category streams
 */
export const frames = (
  scenario: Scenario.Scenario,
  request: Request,
  options: PlayOptions = {}
): Stream.Stream<Frame, SimulatedReset> =>
  Stream.unwrap(Effect.map(play(scenario, request, options), ({ events }) => {
    const encoded = Stream.filterMap(events, (event) => {
      const bytes = wire.encode(request.dialect, event)
      // NDJSON has no keepalive: its encoder gives nothing to write.
      return bytes.length === 0 ? Option.none() : Option.some<Frame>({ bytes, event: event._tag, partial: false })
    })
    return scenario._tag === "SlowDrip" ? drip(encoded, scenario.bytes, scenario.every) : encoded
  }))

/**
 * A non-streaming answer: how the scenario ended and the JSON body to send.
 *
 * @since 0.1.0
 * @category models
 */
export interface Collected {
  /** `Done` (a full answer), `ErrorSignal` (the body is the error payload) or `End` (cut short). */
  readonly end: "Done" | "ErrorSignal" | "End"
  readonly body: unknown
  readonly chunks: number
}

/**
 * Plays the scenario with all its waits and faults, without writing anything, and gives the
 * non-streaming body (`stream: false` requests). A stall never completes.
 *
 * @since 0.1.0
 * @category constructors
 */
export const collect = (
  scenario: Scenario.Scenario,
  request: Request,
  options: PlayOptions = {}
): Effect.Effect<Collected, SimulatedReset> =>
  Effect.flatMap(play(scenario, request, options), ({ events, renderer }) =>
    Stream.runFold(
      events,
      { end: "End" as Collected["end"], chunks: 0, error: undefined as unknown },
      (state, event) => {
        switch (event._tag) {
          case "Chunk":
            return { ...state, chunks: state.chunks + 1 }
          case "Done":
            return { ...state, end: "Done" as const }
          case "ErrorSignal":
            return { ...state, end: "ErrorSignal" as const, error: event.payload }
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

/**
 * The scenario's response body as bytes, in-process (see `frames`).
 *
 * @since 0.1.0
 * @category streams
 */
export const stream = (
  scenario: Scenario.Scenario,
  request: Request,
  options?: PlayOptions
): Stream.Stream<Uint8Array, SimulatedReset> => Stream.map(frames(scenario, request, options), (frame) => frame.bytes)
