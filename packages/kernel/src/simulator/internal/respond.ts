/**
 * One response of the server, played on the server's clock: the scenario's plan (an HTTP error,
 * headers held back), then its timeline written to the socket (a stream) or collected (a whole
 * answer). Every write is told to the request's record, and the first close of the connection
 * stops the response at once: its sleep is cancelled and nothing is written after it.
 */
import type * as Http from "node:http"
import type { Clock } from "../../Clock.js"
import * as Dialects from "../../protocols/Dialects.js"
import type * as RequestRecord from "../RequestRecord.js"
import type * as Scenario from "../Scenario.js"
import * as Simulation from "../Simulation.js"
import * as Timeline from "../Timeline.js"
import type { SimDialect } from "./render.js"
import type { Parsed } from "./requestBody.js"
import { sleep } from "./sleep.js"

/** What one response needs to know. */
export interface Exchange {
  readonly request: Http.IncomingMessage
  readonly response: Http.ServerResponse
  readonly tracker: RequestRecord.Tracker
  readonly dialect: SimDialect
  readonly scenario: Scenario.Scenario
  readonly parsed: Parsed
  /** The request body, for the usage a provider reports. */
  readonly body: unknown
  /** The server's clock: every wait of the response sleeps on it, and payloads read the time from it. */
  readonly clock: Clock
}

const providerHeaders = (dialect: SimDialect, id: string): Record<string, string> => {
  const base = { "cache-control": "no-cache", "x-sim-request-id": id }
  switch (dialect) {
    case "openaiChat":
    case "openaiResponses":
      return { ...base, "x-request-id": `req_${id}` }
    case "anthropic":
      return { ...base, "request-id": `req_${id}` }
    default:
      return base
  }
}

const inputTokens = (body: unknown): number => Math.max(1, Math.round(JSON.stringify(body ?? "").length / 4))

/** Whom the scenario answers, and in which dialect. */
const simulationRequest = (exchange: Exchange): Simulation.Request => ({
  dialect: exchange.dialect,
  jsonArray: exchange.parsed.jsonArray,
  id: exchange.tracker.id,
  model: exchange.parsed.model,
  includeUsage: exchange.parsed.includeUsage,
  requestId: exchange.parsed.requestId,
  progressToken: exchange.parsed.progressToken,
  inputTokens: inputTokens(exchange.body)
})

/** A response in progress: its pending timer or drain wait, and whether it was stopped. */
interface Playing {
  readonly exchange: Exchange
  readonly request: Simulation.Request
  readonly headers: Record<string, string>
  stopped: boolean
  cancel: (() => void) | undefined
  /** Stops the response: no write, no timer after it; generation has stopped. */
  readonly stop: () => void
}

/** Runs `then` after `millis` on the server's clock, unless the response stops first. */
const wait = (playing: Playing, millis: number, then: () => void): void => {
  playing.cancel = sleep(playing.exchange.clock, millis, () => {
    playing.cancel = undefined
    if (!playing.stopped) then()
  })
}

/**
 * Plays a timeline on the server's clock: emits go to `emit` (false: the socket is full, and the
 * play goes on once it drains), a reset destroys the socket, a stall waits for the client to
 * give up.
 */
const drive = <A, R>(
  playing: Playing,
  timeline: Timeline.Timeline<A, R>,
  emit: (values: ReadonlyArray<A>) => boolean,
  end: (value: R) => void
): void => {
  const { clock, request, response, tracker } = playing.exchange
  playing.cancel = Timeline.drive(timeline, clock, {
    emit: (values, resume) => {
      if (!emit(values)) {
        response.once("drain", resume)
        return false
      }
      // One write per beat, then a turn of the event loop before the next, even with no wait
      // between them: a provider writes each event as it makes it, so a reader that keeps up reads
      // about one event at a time. Written back to back, a fast scenario would fill the socket
      // with hundreds of events per read, which no real stream does.
      setImmediate(resume)
      return false
    },
    reset: () => {
      // The socket's close then stops the response (see `respond`).
      tracker.reset()
      request.socket.destroy()
    },
    end
  })
}

const errorAnswer = (playing: Playing, plan: Simulation.Plan): void => {
  const { response, tracker } = playing.exchange
  tracker.headers(plan.status)
  tracker.finish()
  const body = Simulation.errorBody(plan, playing.request)
  response.writeHead(plan.status, {
    ...playing.headers,
    ...(plan.retryAfter === undefined ? {} : { "retry-after": String(plan.retryAfter) }),
    ...plan.extraHeaders,
    "content-type": "application/json",
    "content-length": Buffer.byteLength(body)
  })
  response.end(body)
  playing.stop()
}

const batchAnswer = (playing: Playing): void => {
  const { response, scenario, tracker } = playing.exchange
  const timeline = Timeline.collect(scenario, playing.request, playing.exchange.clock)
  drive(playing, timeline, () => true, (collected) => {
    const text = JSON.stringify(collected.body)
    // A cut-short answer is a body cut in half: invalid JSON, as a dropped proxy would leave it.
    const written = collected.end === "End" ? text.slice(0, Math.floor(text.length / 2)) : text
    const status = collected.end === "ErrorSignal" ? 500 : 200
    tracker.headers(status)
    tracker.writeBody(Buffer.byteLength(written), collected.chunks)
    tracker.finish()
    response.writeHead(status, {
      ...playing.headers,
      "content-type": "application/json",
      "content-length": Buffer.byteLength(written)
    })
    response.end(written)
    playing.stop()
  })
}

const streamedAnswer = (playing: Playing): void => {
  const { dialect, parsed, response, scenario, tracker } = playing.exchange
  tracker.headers(200)
  response.writeHead(200, {
    ...playing.headers,
    "content-type": parsed.jsonArray === true ? "application/json; charset=UTF-8" : Dialects.byName[dialect].contentType
  })
  const timeline = Timeline.frames(scenario, playing.request, playing.exchange.clock)
  drive(playing, timeline, (frames) => {
    let flowing = true
    for (const frame of frames) {
      tracker.write(frame)
      flowing = response.write(frame.bytes)
    }
    return flowing
  }, () => {
    tracker.finish()
    response.end()
    playing.stop()
  })
}

/**
 * Answers one request: after the plan's wait for the headers, its HTTP error, its whole answer
 * (`stream: false`) or its stream. `stops` holds what stops each response in progress (the
 * server stops them when it closes).
 */
export const respond = (exchange: Exchange, stops: Set<() => void>): void => {
  const { response, tracker } = exchange
  const stop = () => {
    if (playing.stopped) return
    playing.stopped = true
    playing.cancel?.()
    stops.delete(stop)
    tracker.finish()
  }
  const playing: Playing = {
    exchange,
    request: simulationRequest(exchange),
    headers: providerHeaders(exchange.dialect, tracker.id),
    stopped: false,
    cancel: undefined,
    stop
  }
  // The close before the end is the client's (or a reset's): recorded at the moment itself.
  const closed = () => {
    if (!response.writableEnded) tracker.closed()
    stop()
  }
  if (response.destroyed || exchange.request.socket.destroyed) return closed()
  stops.add(stop)
  response.once("close", closed)
  const plan = Simulation.plan(exchange.scenario)
  const begin = () =>
    plan.status !== 200
      ? errorAnswer(playing, plan)
      : exchange.parsed.stream
      ? streamedAnswer(playing)
      : batchAnswer(playing)
  if (plan.headers === "now") begin()
  else if (plan.headers !== "never") wait(playing, plan.headers, begin)
}
