/**
 * What the in-memory upstream answers one request with, from the scenario it plays: an HTTP error
 * after the scenario's delay, a reset before any response, the whole body of a `batch` call, or
 * the scenario's frames as a streamed body. Every write is told to the request's record.
 */
import * as HttpClientError from "@effect/platform/HttpClientError"
import type * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import type * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import type * as RequestRecord from "@streamguard/simulator-effect3/RequestRecord"
import type * as Scenario from "@streamguard/simulator-effect3/Scenario"
import * as Simulation from "@streamguard/simulator-effect3/Simulation"
import * as Chunk from "effect/Chunk"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import { MemoryResponse } from "./memoryResponse.js"

/** What one answer needs to know. */
export interface Exchange {
  readonly request: HttpClientRequest.HttpClientRequest
  readonly scenario: Scenario.Scenario
  /** Whom the scenario answers, and in which dialect. */
  readonly simulation: Simulation.Request
  readonly tracker: RequestRecord.Tracker
  /** `stream`/`streamEvents` (true) or `batch` (false). */
  readonly streaming: boolean
  /** The `content-type` of a streamed answer. */
  readonly contentType: string
}

/** A TCP reset as undici reports it, so the client's own mapping makes it `reason: "reset"`. */
const resetCause = { code: "ECONNRESET", message: "the script reset the connection" }

const encoder = new TextEncoder()

/** The first step of a script that is not a `Wait`, and the waits before it. */
const lead = (scenario: Scenario.Scenario): { readonly delay: Duration.Duration; readonly tag: string | undefined } => {
  let delay = Duration.zero
  if (scenario._tag !== "Script") return { delay, tag: undefined }
  for (const step of scenario.steps) {
    if (step._tag !== "Wait") return { delay, tag: step._tag }
    delay = Duration.sum(delay, step.duration)
  }
  return { delay, tag: undefined }
}

/** The connection reset before any response: the transport error the client sees. */
const transportReset = (exchange: Exchange) =>
  Effect.suspend(() => {
    exchange.tracker.reset()
    exchange.tracker.finish()
    return Effect.fail(
      new HttpClientError.RequestError({ request: exchange.request, reason: "Transport", cause: resetCause })
    )
  })

/** The scenario's HTTP error, after its delay: the status, its error body, its headers. */
const errorAnswer = (exchange: Exchange, plan: Simulation.Plan) =>
  Effect.gen(function*() {
    const { request, simulation, tracker } = exchange
    yield* plan.headers === "now" ? Effect.void : plan.headers === "never" ? Effect.never : Effect.sleep(
      plan.headers
    )
    const bytes = encoder.encode(Simulation.errorBody(plan, simulation))
    tracker.headers(plan.status)
    tracker.writeBody(bytes.length, 0)
    tracker.finish()
    const retryAfter = Option.match(plan.retryAfter, {
      onNone: () => ({}),
      onSome: (seconds) => ({ "retry-after": String(seconds) })
    })
    return new MemoryResponse(
      request,
      plan.status,
      { "content-type": "application/json", ...retryAfter, ...plan.extraHeaders },
      () => Stream.succeed(bytes)
    )
  })

/** The whole body of a `batch` call: the scenario's content collected, cut in half when it ended early. */
const batchAnswer = (exchange: Exchange) =>
  Effect.gen(function*() {
    const { request, scenario, simulation, tracker } = exchange
    const collected = yield* Simulation.collect(scenario, simulation, { onReset: transportReset(exchange) }).pipe(
      Effect.onInterrupt(() => Effect.sync(() => (tracker.closed(), tracker.finish())))
    )
    const text = JSON.stringify(collected.body)
    // A cut-short answer is a body cut in half, as the simulator sends it.
    const bytes = encoder.encode(collected.end === "End" ? text.slice(0, Math.floor(text.length / 2)) : text)
    const status = collected.end === "ErrorSignal" ? 500 : 200
    tracker.headers(status)
    tracker.writeBody(bytes.length, collected.chunks)
    tracker.finish()
    return new MemoryResponse(request, status, { "content-type": "application/json" }, () => Stream.succeed(bytes))
  })

/** The scenario's frames as a streamed body, each write told to the record. */
const streamedAnswer = (exchange: Exchange): HttpClientResponse.HttpClientResponse => {
  const { request, scenario, simulation, tracker } = exchange
  tracker.headers(200)
  return new MemoryResponse(request, 200, { "content-type": exchange.contentType }, (response) =>
    Stream.suspend(() => {
      let ended = false
      const end = Effect.sync(() => {
        ended = true
        tracker.finish()
      })
      const onReset = Effect.suspend(() => {
        tracker.reset()
        return Effect.zipRight(end, Effect.fail(response.decodeError("connection reset", resetCause)))
      })
      return Simulation.frames(scenario, simulation, { onReset }).pipe(
        Stream.mapChunks((frames) => {
          for (const frame of frames) {
            tracker.write(frame)
            if (frame.event === "Done" || frame.event === "ErrorSignal") {
              ended = true
              tracker.finish()
            }
          }
          return Chunk.map(frames, (frame) => frame.bytes)
        }),
        Stream.concat(Stream.execute(end)),
        // Let go of before its end: the client closed it (in memory, nothing runs on after).
        Stream.ensuring(Effect.sync(() => {
          if (!ended) tracker.closed()
          tracker.finish()
        }))
      )
    }))
}

/** Answers one request. Waits are Effect sleeps, so the `TestClock` moves them. */
export const answer = (
  exchange: Exchange
): Effect.Effect<HttpClientResponse.HttpClientResponse, HttpClientError.RequestError> =>
  Effect.suspend(() => {
    const plan = Simulation.plan(exchange.scenario)
    if (plan.status !== 200) return errorAnswer(exchange, plan)
    // A reset before anything was answered is a connection that failed before the response.
    const first = lead(exchange.scenario)
    if (first.tag === "Reset") return Effect.zipRight(Effect.sleep(first.delay), transportReset(exchange))
    return exchange.streaming ? Effect.succeed(streamedAnswer(exchange)) : batchAnswer(exchange)
  })
