/**
 * What the in-memory upstream answers one request with, from the scenario it plays: an HTTP error
 * after the scenario's delay, a reset before any response, the whole body of a `batch` call, or
 * the scenario's frames as a streamed body. The rules (and what each write tells the record) are
 * the kernel's `MemoryUpstream`; here they play on the Effect `Clock`.
 */
import * as MemoryUpstream from "@streamguard/kernel/simulator/MemoryUpstream"
import * as KernelSimulation from "@streamguard/kernel/simulator/Simulation"
import * as Simulation from "@streamguard/simulator/Simulation"
import * as Arr from "effect/Array"
import * as Effect from "effect/Effect"
import * as HttpClientError from "effect/http/HttpClientError"
import type * as HttpClientRequest from "effect/http/HttpClientRequest"
import type * as HttpClientResponse from "effect/http/HttpClientResponse"
import * as Stream from "effect/Stream"
import { MemoryResponse } from "./memoryResponse.js"

type Arrival = MemoryUpstream.Arrival

/** The connection reset before any response: the transport error the client sees. */
const transportReset = (request: HttpClientRequest.HttpClientRequest, arrival: Arrival) =>
  Effect.suspend(() => {
    arrival.tracker.reset()
    arrival.tracker.finish()
    return Effect.fail(
      new HttpClientError.HttpClientError({
        reason: new HttpClientError.TransportError({ request, cause: MemoryUpstream.resetCause })
      })
    )
  })

/** The scenario's HTTP error, after its delay: the status, its error body, its headers. */
const errorAnswer = (request: HttpClientRequest.HttpClientRequest, arrival: Arrival, plan: KernelSimulation.Plan) =>
  Effect.andThen(
    plan.headers === "now" ? Effect.void : plan.headers === "never" ? Effect.never : Effect.sleep(plan.headers),
    Effect.sync(() => {
      const { bytes, headers } = MemoryUpstream.errorAnswer(plan, arrival)
      return new MemoryResponse(request, plan.status, headers, () => Stream.succeed(bytes))
    })
  )

/** The whole body of a `batch` call: the scenario's content collected, cut in half when it ended early. */
const batchAnswer = (request: HttpClientRequest.HttpClientRequest, arrival: Arrival) => {
  const { scenario, simulation, tracker } = arrival
  return Simulation.collect(scenario, simulation, { onReset: transportReset(request, arrival) }).pipe(
    Effect.onInterrupt(() => Effect.sync(() => (tracker.closed(), tracker.finish()))),
    Effect.map((collected) => {
      const { bytes, status } = MemoryUpstream.batchAnswer(collected, tracker)
      return new MemoryResponse(request, status, { "content-type": "application/json" }, () => Stream.succeed(bytes))
    })
  )
}

/** The scenario's frames as a streamed body, each write told to the record. */
const streamedAnswer = (
  request: HttpClientRequest.HttpClientRequest,
  arrival: Arrival
): HttpClientResponse.HttpClientResponse => {
  const { scenario, simulation, tracker } = arrival
  tracker.headers(200)
  return new MemoryResponse(request, 200, { "content-type": arrival.contentType }, (response) =>
    Stream.suspend(() => {
      let ended = false
      const end = Effect.sync(() => {
        ended = true
        tracker.finish()
      })
      const onReset = Effect.suspend(() => {
        tracker.reset()
        return Effect.andThen(end, Effect.fail(response.decodeError("connection reset", MemoryUpstream.resetCause)))
      })
      return Simulation.frames(scenario, simulation, { onReset }).pipe(
        Stream.mapArray((frames) => {
          if (MemoryUpstream.written(frames, tracker)) ended = true
          return Arr.map(frames, (frame) => frame.bytes)
        }),
        Stream.concat(Stream.fromEffectDrain(end)),
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
  request: HttpClientRequest.HttpClientRequest,
  arrival: Arrival
): Effect.Effect<HttpClientResponse.HttpClientResponse, HttpClientError.HttpClientError> =>
  Effect.suspend(() => {
    const plan = KernelSimulation.plan(arrival.scenario)
    if (plan.status !== 200) return errorAnswer(request, arrival, plan)
    // A reset before anything was answered is a connection that failed before the response.
    const first = MemoryUpstream.lead(arrival.scenario)
    if (first.tag === "Reset") return Effect.andThen(Effect.sleep(first.delayMillis), transportReset(request, arrival))
    return arrival.request.stream ? Effect.succeed(streamedAnswer(request, arrival)) : batchAnswer(request, arrival)
  })
